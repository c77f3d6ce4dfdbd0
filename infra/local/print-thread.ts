import { parentPort } from 'node:worker_threads';
import * as z from 'zod';
import { printFilesWith } from '../../shared/report/print/print-files.js';
import { loadPdfFonts } from '../../shared/runtime/pdf-fonts.js';
import { PrintRequestSchema, type PrintReply } from './print-thread-messages.js';

/**
 * The local stack's print thread: renders Publish's PDF and Word file with the same code a Lambda runs
 * (printFilesWith) and answers each request by its id. Started by print-worker.ts.
 */

const port = parentPort;
if (port === null) throw new Error('print-thread.ts runs as a worker thread (infra/local/print-worker.ts starts it)');
const render = printFilesWith(loadPdfFonts);

const IdSchema = z.object({ id: z.number() });

async function answer(message: unknown): Promise<PrintReply> {
  const request = PrintRequestSchema.safeParse(message);
  if (!request.success) {
    const id = IdSchema.safeParse(message);
    return { id: id.success ? id.data.id : -1, ok: false, message: `not a print request: ${request.error.message}` };
  }
  try {
    const files = await render(request.data.document, request.data.signedOn);
    return { id: request.data.id, ok: true, pdf: files.pdf, docx: files.docx };
  } catch (error) {
    return { id: request.data.id, ok: false, message: error instanceof Error ? error.message : String(error) };
  }
}

port.on('message', (message: unknown) => {
  void answer(message).then((reply) => port.postMessage(reply));
});
