import { looksLikeValue, sectionOf } from './normalize.js';

/**
 * A published report reduced to what the importer reads: lines of text, and table cells either one at a time (the
 * page's text copied out, a cell per line) or a row at a time (an HTML or Word table, tab-separated text).
 */
export type SourceBlock =
  | { readonly type: 'line'; readonly text: string }
  | { readonly type: 'cell'; readonly text: string }
  | { readonly type: 'row'; readonly cells: readonly string[] };

/** A wrapped label continues on a line of its own (「（三）不予」 / 「公开」, 「结」 / 「果」 / 「维」 / 「持」). */
const MAX_CONTINUATION = 12;

/**
 * Text as a browser copies a page out: a table cell per line, each indented by a tab (blank lines between rows), or a
 * row per line with tab-separated cells, or cells one per line with no indent at all; paragraphs as lines.
 */
export function textSource(text: string): SourceBlock[] {
  const blocks: SourceBlock[] = [];
  /** index of the last cell block, while a wrapped label could still continue it */
  let openCell: number | undefined;
  for (const raw of text.replace(/^\uFEFF/u, '').split(/\r\n?|\n/u)) {
    const line = raw.replace(/\s+$/u, '');
    if (raw.startsWith('\t') && line === '') {
      // a tab and nothing else: an empty cell (a blank value, or the place of a label spanning rows above)
      blocks.push({ type: 'cell', text: '' });
      openCell = undefined;
      continue;
    }
    if (line.trim() === '') {
      blocks.push({ type: 'line', text: '' });
      continue;
    }
    const body = line.replace(/^\t+/u, '');
    if (body.includes('\t')) {
      blocks.push({ type: 'row', cells: line.split('\t').map((cell) => cell.trim()) });
      openCell = undefined;
    } else if (line.startsWith('\t')) {
      blocks.push({ type: 'cell', text: body.trim() });
      openCell = looksLikeValue(body) ? undefined : blocks.length - 1;
    } else {
      const previous = openCell === undefined ? undefined : blocks[openCell];
      if (previous?.type === 'cell' && body.trim().length <= MAX_CONTINUATION && sectionOf(body) === undefined) {
        // the blank lines a wrapped cell leaves behind belong to it, not to the table's row structure
        blocks.splice(openCell ?? 0, blocks.length, { type: 'cell', text: `${previous.text}${body.trim()}` });
        continue;
      }
      blocks.push({ type: 'line', text: line.trim() });
      openCell = undefined;
    }
  }
  return blocks;
}
