import * as z from 'zod';
import type { PrintDocument } from '../../shared/report/print/print-model.js';

/** What the local stack's print thread is sent and answers (infra/local/print-thread.ts), checked on both sides. */

const CellSchema = z.object({
  text: z.string(),
  rowSpan: z.number(),
  colSpan: z.number(),
  header: z.boolean(),
  align: z.enum(['left', 'center']),
});

const BlockSchema = z.discriminatedUnion('type', [
  z.object({ type: z.enum(['title', 'heading', 'paragraph', 'note']), text: z.string() }),
  z.object({
    type: z.literal('table'),
    table: z.object({
      id: z.string(),
      width: z.number(),
      labelColumns: z.number(),
      headerRows: z.number(),
      rows: z.array(z.array(CellSchema)),
      hasCaption: z.boolean(),
    }),
  }),
  z.object({ type: z.literal('pageBreak') }),
]);

const PrintDocumentSchema = z.object({
  title: z.string(),
  contentSha256: z.string(),
  blocks: z.array(BlockSchema),
}) satisfies z.ZodType<PrintDocument>;

export interface PrintRequest {
  readonly id: number;
  readonly document: PrintDocument;
  readonly signedOn: Date;
}
export const PrintRequestSchema = z.object({
  id: z.number(),
  document: PrintDocumentSchema,
  signedOn: z.date(),
}) satisfies z.ZodType<PrintRequest>;

export const PrintReplySchema = z.discriminatedUnion('ok', [
  z.object({ id: z.number(), ok: z.literal(true), pdf: z.instanceof(Uint8Array), docx: z.instanceof(Uint8Array) }),
  z.object({ id: z.number(), ok: z.literal(false), message: z.string() }),
]);
export type PrintReply =
  | { readonly id: number; readonly ok: true; readonly pdf: Uint8Array; readonly docx: Uint8Array }
  | { readonly id: number; readonly ok: false; readonly message: string };
