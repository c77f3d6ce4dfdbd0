/**
 * SES v2 takes `FromEmailAddress` as 7-bit ASCII only: a display name with Chinese characters ("friendly from") must
 * arrive as RFC 2047 encoded words, or SendEmail answers BadRequestException. SesMailer encodes its sender with this;
 * encoding twice changes nothing (an encoded name is plain ASCII). SMTP needs no help: nodemailer encodes names.
 */

const MAX_WORD_BYTES = 45; // 45 bytes → 60 base64 characters; with `=?UTF-8?B?` and `?=` a word stays within 75

/** `政府信息公开年报系统 <noreply@example.gov.cn>` → `=?UTF-8?B?5pS/5bqc…?= <noreply@example.gov.cn>`; ASCII unchanged. */
export function sesFromAddress(from: string): string {
  const match = /^\s*(?:"([^"]*)"|([^<]*?))\s*<([^>]+)>\s*$/.exec(from);
  if (match === null) return from.trim();
  const name = (match[1] ?? match[2] ?? '').trim();
  const address = (match[3] ?? '').trim();
  if (name === '') return address;
  if (/^[\x20-\x7e]*$/.test(name)) return `${/[()<>@,;:\\".[\]]/.test(name) ? JSON.stringify(name) : name} <${address}>`;
  return `${encodedWords(name).join(' ')} <${address}>`;
}

function encodedWords(text: string): string[] {
  const words: string[] = [];
  let chunk = '';
  for (const character of text) {
    if (Buffer.byteLength(chunk + character, 'utf8') > MAX_WORD_BYTES) {
      words.push(chunk);
      chunk = '';
    }
    chunk += character;
  }
  if (chunk !== '') words.push(chunk);
  return words.map((word) => `=?UTF-8?B?${Buffer.from(word, 'utf8').toString('base64')}?=`);
}
