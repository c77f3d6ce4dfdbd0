import { renderReportDocx } from './docx.js';
import { renderReportPdf, type PdfFonts } from './pdf.js';
import type { PrintDocument } from './print-model.js';

/** The two files a published report is filed as, rendered from the same printable document. */
export interface PrintFiles {
  readonly pdf: Uint8Array;
  readonly docx: Uint8Array;
}

/**
 * Renders a published report's PDF and Word files. Publish takes it as a dependency: a Lambda renders in its own
 * process, while the local stack, where every function shares one process, hands the work to a thread of its own.
 */
export type PrintFilesRenderer = (document: PrintDocument, signedOn: Date) => Promise<PrintFiles>;

export function printFilesWith(fonts: () => Promise<PdfFonts>): PrintFilesRenderer {
  return async (document, signedOn) => {
    const pdf = (await renderReportPdf(document, await fonts(), signedOn)).bytes;
    const docx = await renderReportDocx(document, signedOn);
    return { pdf, docx };
  };
}
