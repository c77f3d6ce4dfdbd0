import { afterEach, describe, expect, it } from 'vitest';
import { startPrintWorker, type PrintWorker } from '#infra/local/print-worker.js';
import { printFilesWith } from '#shared/report/print/print-files.js';
import { printDocument, type PrintDocument } from '#shared/report/print/print-model.js';
import { loadPdfFonts } from '#shared/runtime/pdf-fonts.js';
import { REFERENCE, SIGN_OFF, STEPS } from '../../unit/shared/report/print/print-fixtures.js';

// The local stack renders Publish's PDF and Word file on a thread of its own: the files must be the very bytes the
// Lambda renders in its own process, and a thread that fails or is stopped must fail its renders, never hang them.

const signedOn = new Date(SIGN_OFF.approvedAt);
const reference = printDocument(REFERENCE, { contentSha256: SIGN_OFF.contentSha256, signOff: SIGN_OFF, steps: STEPS });
const text = (bytes: Uint8Array) => Buffer.from(bytes).toString('latin1');

let worker: PrintWorker | undefined;
afterEach(async () => {
  await worker?.stop();
  worker = undefined;
});

describe('the print thread of the local stack', () => {
  it('renders the same PDF and Word bytes as Publish renders in its own process', async () => {
    worker = startPrintWorker();
    const [threaded, inProcess] = await Promise.all([
      worker.render(reference, signedOn),
      printFilesWith(loadPdfFonts)(reference, signedOn),
    ]);
    expect(text(threaded.pdf).startsWith('%PDF-')).toBe(true);
    expect(Buffer.from(threaded.pdf).equals(Buffer.from(inProcess.pdf))).toBe(true);
    expect(Buffer.from(threaded.docx).equals(Buffer.from(inProcess.docx))).toBe(true);
  });

  it('answers renders asked for at once each with its own document', async () => {
    worker = startPrintWorker();
    const titled = (title: string): PrintDocument => ({ ...reference, title });
    const [first, second] = await Promise.all([
      worker.render(titled('甲局年度报告'), signedOn),
      worker.render(titled('乙局年度报告'), signedOn),
    ]);
    const alone = await printFilesWith(loadPdfFonts)(titled('乙局年度报告'), signedOn);
    expect(Buffer.from(second.docx).equals(Buffer.from(alone.docx))).toBe(true);
    expect(Buffer.from(first.docx).equals(Buffer.from(alone.docx))).toBe(false);
  });

  it('fails a render the thread cannot do, with the reason, and goes on rendering', async () => {
    worker = startPrintWorker();
    // an invalid date cannot be written as the files' creation date
    await expect(worker.render(reference, new Date(Number.NaN))).rejects.toThrow(/the print thread could not render/);
    const files = await worker.render(reference, signedOn);
    expect(text(files.pdf).startsWith('%PDF-')).toBe(true);
  });

  it('fails the renders waiting when it is stopped, and starts a new thread for the next one', async () => {
    worker = startPrintWorker();
    const waiting = worker.render(reference, signedOn);
    await worker.stop();
    await expect(waiting).rejects.toThrow(/stopped|exited/);
    const files = await worker.render(reference, signedOn);
    expect(text(files.pdf).startsWith('%PDF-')).toBe(true);
  });
});
