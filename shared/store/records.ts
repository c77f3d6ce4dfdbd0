import * as z from 'zod';
import { ApproverStageSchema, EmailSchema, ReviewSchema } from '../workflow/model.js';
import type { ReviewPointer } from '../workflow/ports.js';
import type { ItemKey } from './table.js';

/**
 * How a record becomes an item of the table layout (table.ts) and back, for every adapter that keeps that layout:
 * validated on the way in and on the way out, so a malformed item is never written and never returned.
 */

/** ports.ts declares ReviewPointer as an interface only; this is its schema for reading it back. */
export const ReviewPointerSchema = z.object({
  reviewId: ReviewSchema.shape.reviewId,
  reportId: z.string().min(1),
  version: z.int().min(1),
  stage: ApproverStageSchema,
  approverEmail: EmailSchema,
  seat: EmailSchema.optional(),
}) satisfies z.ZodType<ReviewPointer>;

/**
 * An item that does not match its record's schema: read back from the table (someone wrote it by hand, or an older
 * release wrote another shape) or about to be written (a bug in the caller). The store never returns such an item and
 * never writes one, so a poisoned event can't make a report's log unreadable.
 */
export class MalformedItemError extends Error {
  override readonly name = 'MalformedItemError';
  readonly record: string;
  readonly key: string;
  readonly issues: readonly z.core.$ZodIssue[];
  constructor(direction: 'read' | 'write', record: string, key: string, error: z.ZodError) {
    super(`malformed ${record} item ${direction === 'read' ? 'read from' : 'about to be written to'} ${key}: ${z.prettifyError(error)}`, {
      cause: error,
    });
    this.record = record;
    this.key = key;
    this.issues = error.issues;
  }
}

export type Item = Record<string, unknown>;

export function keyText(item: Item | ItemKey): string {
  return `${String(item['pk'] ?? '?')} / ${String(item['sk'] ?? '?')}`;
}

/** Reads one record out of an item: only the schema's own fields are looked at (never pk/sk/gsi1pk/gsi1sk). */
export function fromItem<S extends z.ZodObject>(schema: S, record: string, item: Item): z.output<S> {
  const own: Item = {};
  for (const field of Object.keys(schema.shape)) {
    if (Object.hasOwn(item, field)) own[field] = item[field];
  }
  const result = schema.safeParse(own);
  if (!result.success) throw new MalformedItemError('read', record, keyText(item), result.error);
  return result.data;
}

/** Validates a record before it is written, so the table only ever holds what the schemas accept. */
export function checked<S extends z.ZodObject>(schema: S, record: string, key: ItemKey, value: unknown): z.output<S> {
  const result = schema.safeParse(value);
  if (!result.success) throw new MalformedItemError('write', record, keyText(key), result.error);
  return result.data;
}

/** Numbers written by the small updates: a fraction or NaN would make the record unreadable afterwards. */
export function assertCount(n: number, what: string): void {
  if (!Number.isSafeInteger(n) || n < 0) throw new RangeError(`${what} must be a non-negative integer, got ${n}`);
}

/** Emails are keys (sign-in codes, roster): compare them the way EmailSchema stores them. */
export function emailKey(email: string): string {
  const parsed = EmailSchema.safeParse(email);
  return parsed.success ? parsed.data : email.trim().toLowerCase();
}
