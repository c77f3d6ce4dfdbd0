import * as z from 'zod';

/** The leader's sign-off printed at the end of a published page; the digest ties the page to the approved JSON. */

export const ApprovedAtSchema = z.iso.datetime({ offset: true });

export const SignOffSchema = z.strictObject({
  /** the approving leader's name */
  approvedBy: z.string().trim().min(1).max(100),
  approvedByEmail: z.email().optional(),
  /** ISO 8601 with Z or an offset: a time without one would be read in the machine's zone */
  approvedAt: ApprovedAtSchema,
  version: z.int().min(1),
  /** SHA-256 of the canonical report JSON, lower-case hex as node:crypto writes it */
  contentSha256: z.string().regex(/^[0-9a-f]{64}$/),
});
export type SignOff = z.infer<typeof SignOffSchema>;

const BEIJING_OFFSET_MS = 8 * 60 * 60 * 1000;
const pad = (value: number): string => String(value).padStart(2, '0');

/** The Beijing wall-clock time of an ISO date-time with a zone; undefined for anything else. */
function beijingClock(iso: string): Date | undefined {
  if (!ApprovedAtSchema.safeParse(iso).success) return undefined;
  const ms = Date.parse(iso);
  return Number.isFinite(ms) ? new Date(ms + BEIJING_OFFSET_MS) : undefined;
}

/**
 * `2021-01-20T02:30:00Z` → `2021年1月20日 10:30`. China has kept UTC+8 without daylight saving since 1991, so adding
 * eight hours to UTC is exact and does not depend on the machine's zone or its ICU data. Undefined for anything that
 * is not an ISO date-time with a zone, which a renderer then shows as given.
 */
export function formatBeijingTime(iso: string): string | undefined {
  const date = formatBeijingDate(iso);
  const t = beijingClock(iso);
  return date === undefined || t === undefined ? undefined : `${date} ${pad(t.getUTCHours())}:${pad(t.getUTCMinutes())}`;
}

/** `2021-01-20T17:30:00Z` → `2021年1月21日`, the date in Beijing, as a 落款 and a 发布日期 give it. */
export function formatBeijingDate(iso: string): string | undefined {
  const t = beijingClock(iso);
  return t === undefined ? undefined : `${t.getUTCFullYear()}年${t.getUTCMonth() + 1}月${t.getUTCDate()}日`;
}
