import * as z from 'zod';

/**
 * How the report's title is set. Agencies write it several ways — 北京市大兴区科学技术委员会2020年…,
 * …2021年度…, the year first (2019年上海市…), on one line or two — so each way is a pattern here, and a report names
 * the one it uses (`title` in the report JSON, optional: a report without it keeps the first). `{name}` is the
 * agency's registered name, `{year}` the report year, and `|` where a two-line title breaks.
 */
export const TITLE_FORMATS = {
  'name-year': '{name}|{year}年政府信息公开工作年度报告',
  'name-year-annual': '{name}|{year}年度政府信息公开工作年度报告',
  'year-name': '{year}年{name}|政府信息公开工作年度报告',
  'year-annual-name': '{year}年度{name}|政府信息公开工作年度报告',
} as const;

export type TitleFormat = keyof typeof TITLE_FORMATS;

export const TitleFormatSchema = z.enum(Object.keys(TITLE_FORMATS) as [TitleFormat, ...TitleFormat[]]);

export const TitleSchema = z.strictObject({
  format: TitleFormatSchema,
  /** 2: the title is set on two lines, broken where its format says */
  lines: z.union([z.literal(1), z.literal(2)]).optional(),
});
export type Title = z.infer<typeof TitleSchema>;

/**
 * The title's lines: one, or two where the format breaks. A draft may carry a title that is not one of ours; it is
 * set in the first format, as a report without one is.
 */
export function titleLines(title: unknown, name: string, year: number): string[] {
  const parsed = TitleSchema.safeParse(title);
  const format = parsed.success ? parsed.data.format : 'name-year';
  // split and filled in one pass each, so nothing in a name (a |, a {year}) is read as part of the pattern
  const values: Record<string, string> = { name, year: String(year) };
  const lines = TITLE_FORMATS[format].split('|').map((line) => line.replace(/\{(name|year)\}/g, (_, key: string) => values[key] ?? ''));
  return parsed.success && parsed.data.lines === 2 ? lines : [lines.join('')];
}
