import { paragraphs } from './render-text.js';

/**
 * The narrative parts as published reports set them: paragraphs, some opened by a sub-heading that the original
 * prints in bold or 楷体 — （一）主动公开方面。, 1.组织领导。, 一是加强组织领导， — and some lines that are a
 * sub-heading alone. Reading them back gives the page headings a reader (and a screen reader) can navigate by.
 */

/** The numbering styles, outermost first: （一） above 1. above 一是, as reports nest them. */
const MARKERS: readonly RegExp[] = [/^[（(][一二三四五六七八九十]{1,3}[）)]/, /^\d{1,2}[.．、](?!\d)/, /^[一二三四五六七八九十]{1,3}是/];

/** a run-in heading ends at the first of these, which it keeps */
const RUN_IN_END = /[。：:；;，,]/;
/** a run-in heading longer than this is the opening of a numbered paragraph, not a heading */
const MAX_RUN_IN_CHARS = 24;
/** a line this short, without sentence punctuation inside, is a heading on its own */
const MAX_HEADING_CHARS = 30;
const SENTENCE_PUNCTUATION = /[，,；;。]/;

export interface NarrativeBlock {
  /** 3 for the outermost numbering the part uses, 4 and 5 for the ones inside it */
  readonly level: number | undefined;
  /** the sub-heading, or '' for a paragraph without one */
  readonly heading: string;
  /** the text after the sub-heading ('' for a heading on its own line) */
  readonly body: string;
}

function rankOf(line: string): number | undefined {
  const rank = MARKERS.findIndex((marker) => marker.test(line));
  return rank === -1 ? undefined : rank;
}

function split(line: string, rank: number): { heading: string; body: string } | undefined {
  const trimmed = line.trim();
  const end = trimmed.search(RUN_IN_END);
  if (end === -1) {
    return [...trimmed].length <= MAX_HEADING_CHARS ? { heading: trimmed, body: '' } : undefined;
  }
  const punctuation = trimmed[end] ?? '';
  const heading = trimmed.slice(0, end + 1);
  // （一）…。 and 1.…。 end at a full stop or colon; a comma there opens a numbered sentence (1.工作人员…不够，…)
  const endsHeading = rank === MARKERS.length - 1 || !/[，,]/.test(punctuation);
  if (!endsHeading || [...heading].length > MAX_RUN_IN_CHARS) return undefined;
  const body = trimmed.slice(end + 1);
  if (body === '' && SENTENCE_PUNCTUATION.test(heading.slice(0, -1))) return undefined;
  return { heading, body };
}

/** The part's text as blocks, in order; a paragraph without a sub-heading has `heading` ''. */
export function narrativeBlocks(text: string | undefined): NarrativeBlock[] {
  const seen: number[] = [];
  return paragraphs(text).map((line) => {
    const rank = rankOf(line.trim());
    const parts = rank === undefined ? undefined : split(line, rank);
    if (rank === undefined || parts === undefined) return { level: undefined, heading: '', body: line };
    if (!seen.includes(rank)) seen.push(rank);
    // the level counts the numbering styles used above this one so far: 1. alone is a level-3 heading
    const level = 3 + seen.filter((other) => other < rank).length;
    return { level, ...parts };
  });
}
