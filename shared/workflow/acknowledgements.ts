import * as z from 'zod';
import type { Finding } from '../report/findings.js';
import { ValidationError } from './errors.js';

/**
 * A warning the officer answered before submitting: ticked as checked, or explained in a note. The checks' warnings
 * do not block a submission, but nobody may pass one on to the approvers without having said they saw it.
 */

/** A finding's key in a submission's `acknowledgements`: its code and where it is, which stay the same between checks. */
export const findingKey = (finding: Pick<Finding, 'code' | 'path'>): string => `${finding.code}@${finding.path}`;

export const NOTE_MAX = 500;

/** What the officer sends for one warning: `{checked: true}`, a note, or both. */
export const AcknowledgementInputSchema = z.object({
  checked: z.boolean().optional(),
  note: z.string().max(NOTE_MAX).optional(),
});
export const AcknowledgementsInputSchema = z.record(z.string().max(300), AcknowledgementInputSchema);
export type AcknowledgementsInput = z.infer<typeof AcknowledgementsInputSchema>;

/** One warning of a version as the approvers read it: what the system said and what the officer answered. */
export const AcknowledgedWarningSchema = z.object({
  key: z.string(),
  code: z.string(),
  path: z.string(),
  message: z.string(),
  /** the officer's explanation; absent when they only ticked the warning as checked */
  note: z.string().optional(),
});
export type AcknowledgedWarning = z.infer<typeof AcknowledgedWarningSchema>;

const noteOf = (input: AcknowledgementsInput, key: string): string => input[key]?.note?.trim() ?? '';

/**
 * Every warning paired with the officer's answer. Refused, naming each warning left unanswered, when one is neither
 * ticked nor explained.
 */
export function acknowledgeWarnings(warnings: readonly Finding[], input: AcknowledgementsInput = {}): AcknowledgedWarning[] {
  const missing = warnings.filter((warning) => {
    const key = findingKey(warning);
    return input[key]?.checked !== true && noteOf(input, key) === '';
  });
  if (missing.length > 0) {
    throw new ValidationError(
      `还有 ${missing.length} 条系统提示未确认：请逐条勾选“已核对”或写明原因后再提交。${missing.map((warning) => warning.message).join('')}`,
      'WARNINGS_UNACKNOWLEDGED',
      {
        unacknowledged: missing.map((warning) => ({
          key: findingKey(warning),
          code: warning.code,
          path: warning.path,
          message: warning.message,
        })),
      },
    );
  }
  return warnings.map((warning) => {
    const key = findingKey(warning);
    const note = noteOf(input, key);
    return { key, code: warning.code, path: warning.path, message: warning.message, ...(note === '' ? {} : { note }) };
  });
}

/** The warnings of a version nobody explained: ticked only, or (in logs from before answers were asked) not answered. */
export const unexplained = (warnings: readonly AcknowledgedWarning[]): AcknowledgedWarning[] =>
  warnings.filter((warning) => warning.note === undefined);
