import mammoth from 'mammoth';
import { htmlSource } from './html-source.js';
import { textSource, type SourceBlock } from './source.js';

/**
 * An uploaded file as the importer's blocks: a Word file (.docx, read by mammoth into HTML with its merged cells), a
 * page saved from a browser, or text. Chinese Windows still saves text and older sites still serve pages in GBK, so
 * bytes that are not UTF-8 are read as GB 18030 (a superset of GBK and GB 2312).
 */

export type SourceFormat = 'docx' | 'html' | 'text';

export class UnreadableFileError extends Error {
  override readonly name = 'UnreadableFileError';
}

const ZIP = [0x50, 0x4b, 0x03, 0x04];
const DECLARED_GB = /<meta[^>]+charset\s*=\s*["']?\s*(gb2312|gbk|gb18030)/iu;

export function formatOf(fileName: string, bytes: Uint8Array): SourceFormat {
  if (ZIP.every((byte, index) => bytes[index] === byte)) return 'docx';
  const name = fileName.toLowerCase();
  if (name.endsWith('.html') || name.endsWith('.htm') || name.endsWith('.mhtml')) return 'html';
  const head = new TextDecoder('latin1').decode(bytes.subarray(0, 4096)).toLowerCase();
  return head.includes('<html') || head.includes('<table') || head.includes('<!doctype html') ? 'html' : 'text';
}

export function decodeText(bytes: Uint8Array): string {
  const head = new TextDecoder('latin1').decode(bytes.subarray(0, 4096));
  if (DECLARED_GB.test(head)) return new TextDecoder('gb18030').decode(bytes);
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return new TextDecoder('gb18030').decode(bytes);
  }
}

export async function fileSource(fileName: string, bytes: Uint8Array): Promise<{ format: SourceFormat; blocks: SourceBlock[] }> {
  const format = formatOf(fileName, bytes);
  if (format === 'docx') {
    let html: string;
    try {
      html = (await mammoth.convertToHtml({ buffer: Buffer.from(bytes) })).value;
    } catch (error) {
      throw new UnreadableFileError(`not a Word file: ${error instanceof Error ? error.message : String(error)}`);
    }
    return { format, blocks: htmlSource(html) };
  }
  const text = decodeText(bytes);
  return { format, blocks: format === 'html' ? htmlSource(text) : textSource(text) };
}
