import { readPath } from './cells.js';
import type { Finding } from './findings.js';
import type { ReportView } from './report-view.js';

/**
 * Every text part the template has (一、五、六) must be written: an empty part is an error, as a blank cell is (R5).
 * A part with nothing to report says so in words (“无。”), which a reader can tell from a part someone forgot.
 */

/** Empty, white space, or the marks a blank is written with (“/”, “-”, “—”). */
const BLANK_TEXT = /^\s*(?:[/／\-－—–]\s*)?$/;

export function isBlankText(text: string): boolean {
  return BLANK_TEXT.test(text);
}

export function textRules(view: ReportView): Finding[] {
  return view.template.sections.flatMap((section) => {
    if (section.type !== 'text') return [];
    // a missing or mistyped text is the schema's to report; here only one that is there and says nothing
    const text = readPath(view.raw, [section.field]);
    if (typeof text !== 'string' || !isBlankText(text)) return [];
    return [
      {
        code: 'TEXT_EMPTY',
        path: section.field,
        message: `${section.heading}未填写。没有需要报告的内容，也请写明（如“无。”）。`,
      } satisfies Finding,
    ];
  });
}
