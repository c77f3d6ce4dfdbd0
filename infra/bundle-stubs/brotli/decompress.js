// Stands in for brotli's decoder in the Lambda bundles (esbuild alias, infra/project-function.ts). fontkit imports it
// only to read WOFF2 fonts; the PDF fonts are OpenType files, and the decoder's dictionary would add ~475 KB.
export default function decompress() {
  throw new Error('WOFF2 fonts cannot be read in this bundle');
}
