import { readFile } from 'node:fs/promises';
import type { PdfFonts } from '../report/print/pdf.js';

/**
 * The fonts the PDF embeds, read once per process. In the publish Lambda they sit in `fonts/` beside the bundle (the
 * function's bundling copies them there); from the checkout they are read from assets/fonts/. Made by
 * infra/scripts/make-pdf-fonts.sh.
 */
export const PDF_FONT_FILES = { body: 'NotoSerifSC-Report.otf', heading: 'NotoSansSC-Bold-Report.otf' } as const;

const PLACES = [new URL('./fonts/', import.meta.url), new URL('../../assets/fonts/', import.meta.url)];

async function readFrom(files: typeof PDF_FONT_FILES): Promise<PdfFonts> {
  const errors: unknown[] = [];
  for (const place of PLACES) {
    try {
      const [body, heading] = await Promise.all([readFile(new URL(files.body, place)), readFile(new URL(files.heading, place))]);
      return { body, heading };
    } catch (error) {
      errors.push(error);
    }
  }
  throw new AggregateError(
    errors,
    `the PDF fonts (${files.body}, ${files.heading}) are in neither fonts/ beside the code nor assets/fonts/`,
  );
}

let loaded: Promise<PdfFonts> | undefined;

export function loadPdfFonts(): Promise<PdfFonts> {
  loaded ??= readFrom(PDF_FONT_FILES).catch((error: unknown) => {
    loaded = undefined;
    throw error;
  });
  return loaded;
}
