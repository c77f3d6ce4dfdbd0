/**
 * Just enough MIME reading for the mail tests: headers (unfolded, RFC 2047 words decoded) and the parts of a
 * multipart body (base64 / quoted-printable decoded). Not a general parser.
 */
export interface MimePart {
  readonly headers: ReadonlyMap<string, string>;
  /** the raw header values, before decoding encoded words */
  readonly rawHeaders: ReadonlyMap<string, string>;
  readonly body: string;
  readonly parts: readonly MimePart[];
}

export function parseMime(raw: string): MimePart {
  const source = raw.replace(/\r\n/gu, '\n');
  const split = source.indexOf('\n\n');
  const head = split === -1 ? source : source.slice(0, split);
  const rest = split === -1 ? '' : source.slice(split + 2);
  const rawHeaders = new Map<string, string>();
  for (const line of head.replace(/\n[ \t]+/gu, ' ').split('\n')) {
    const colon = line.indexOf(':');
    if (colon > 0) rawHeaders.set(line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim());
  }
  const headers = new Map([...rawHeaders].map(([name, value]) => [name, decodeWords(value)]));
  const contentType = rawHeaders.get('content-type') ?? 'text/plain';
  const boundary = /boundary="?([^";]+)"?/iu.exec(contentType)?.[1];
  if (contentType.toLowerCase().startsWith('multipart/') && boundary !== undefined) {
    const sections = rest.split(`--${boundary}`).slice(1);
    const parts = sections
      .filter((section) => !section.startsWith('--'))
      .map((section) => parseMime(section.replace(/^\n/u, '').replace(/\n$/u, '')));
    return { headers, rawHeaders, body: '', parts };
  }
  return { headers, rawHeaders, body: decodeBody(rest, rawHeaders.get('content-transfer-encoding')), parts: [] };
}

function decodeBody(body: string, encoding: string | undefined): string {
  switch (encoding?.toLowerCase()) {
    case 'base64':
      return Buffer.from(body.replace(/\s+/gu, ''), 'base64').toString('utf8');
    case 'quoted-printable':
      return qpBytes(body.replace(/=\n/gu, '')).toString('utf8');
    default:
      return body;
  }
}

function qpBytes(value: string): Buffer {
  const bytes: number[] = [];
  for (let i = 0; i < value.length; i += 1) {
    const char = value[i]!;
    const hex = value.slice(i + 1, i + 3);
    if (char === '=' && /^[0-9A-F]{2}$/iu.test(hex)) {
      bytes.push(Number.parseInt(hex, 16));
      i += 2;
    } else {
      bytes.push(...Buffer.from(char, 'utf8'));
    }
  }
  return Buffer.from(bytes);
}

/** decodes RFC 2047 encoded words; adjacent words are joined byte-wise, so a character split across them survives */
export function decodeWords(value: string): string {
  return value.replace(/(=\?[^?]+\?[BQ]\?[^?]*\?=)(\s+=\?[^?]+\?[BQ]\?[^?]*\?=)*/giu, (run) => {
    const words = run.match(/=\?[^?]+\?[BQ]\?[^?]*\?=/giu) ?? [];
    const bytes = words.map((word) => {
      const [, , encoding, text] = /^=\?([^?]+)\?([BQ])\?([^?]*)\?=$/iu.exec(word) ?? [];
      return encoding?.toUpperCase() === 'B' ? Buffer.from(text ?? '', 'base64') : qpBytes((text ?? '').replace(/_/gu, ' '));
    });
    return Buffer.concat(bytes).toString('utf8');
  });
}
