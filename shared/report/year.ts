import { YearSchema } from './schema.js';

/**
 * A report year written in a URL or on a command line: exactly four ASCII digits within the years reports exist for.
 * `Number()` would also take `0x7e4`, `2.02e3`, ` 2030` and `2020.0` as a year, so two spellings would name one report.
 */
export function yearFromText(text: string | null | undefined): number | undefined {
  if (text === null || text === undefined || !/^[0-9]{4}$/.test(text)) return undefined;
  const year = YearSchema.safeParse(Number(text));
  return year.success ? year.data : undefined;
}

/** What to say when a year is refused: people read the message, programs the code. */
export const BAD_YEAR = { code: 'BAD_YEAR', message: '报告年度应为 2019 至 2100 之间的四位数字，如 2021。' } as const;
