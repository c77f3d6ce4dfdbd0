import * as z from 'zod';
import { firstInexactNumber, inexactNumberMessage } from '../json/exact-numbers.js';
import { PayloadTooLargeError, ValidationError } from '../workflow/errors.js';

/**
 * The HTTP event as API Gateway (HTTP API, payload 2.0) delivers it, and as the local server builds it. Only the
 * fields the handlers use are read; everything is parsed, nothing assumed.
 */
export const HttpEventSchema = z.object({
  rawPath: z.string(),
  rawQueryString: z.string().optional().default(''),
  headers: z.record(z.string(), z.string()).optional().default({}),
  cookies: z.array(z.string()).optional().default([]),
  body: z.string().optional(),
  isBase64Encoded: z.boolean().optional().default(false),
  pathParameters: z.record(z.string(), z.string()).optional().default({}),
  requestContext: z.object({
    requestId: z.string(),
    http: z.object({ method: z.string() }),
  }),
});
export type HttpEvent = z.input<typeof HttpEventSchema>;

export interface HttpRequest {
  readonly method: string;
  readonly path: string;
  readonly query: URLSearchParams;
  /** lower-case names */
  readonly headers: Readonly<Record<string, string>>;
  readonly cookies: Readonly<Record<string, string>>;
  readonly pathParameters: Readonly<Record<string, string>>;
  readonly body: string;
  /** the body as sent, for uploads that are not UTF-8 (a GBK CSV) */
  readonly rawBody: Uint8Array;
  readonly requestId: string;
}

export const MAX_BODY_BYTES = 256 * 1024;

function parseCookies(event: z.infer<typeof HttpEventSchema>): Record<string, string> {
  const lines = [...event.cookies, ...(event.headers['cookie'] ?? event.headers['Cookie'] ?? '').split(';')];
  const cookies: Record<string, string> = {};
  for (const line of lines) {
    const index = line.indexOf('=');
    if (index <= 0) continue;
    const name = line.slice(0, index).trim();
    if (!(name in cookies)) cookies[name] = line.slice(index + 1).trim();
  }
  return cookies;
}

const UTF8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

/** The body's bytes, as sent. */
function bodyBytes(parsed: z.infer<typeof HttpEventSchema>): Buffer {
  if (parsed.body === undefined) return Buffer.alloc(0);
  const raw = Buffer.from(parsed.body, parsed.isBase64Encoded ? 'base64' : 'utf8');
  if (raw.length > MAX_BODY_BYTES) throw new PayloadTooLargeError();
  return raw;
}

/** The body as text. Bytes that are not UTF-8 are refused, never replaced: a replaced character is a changed report. */
function bodyText(parsed: z.infer<typeof HttpEventSchema>, raw: Buffer): string {
  const notUtf8 = () => new ValidationError('请求内容不是有效的 UTF-8 文本，请检查文件编码后重新提交。', 'INVALID_UTF8');
  if (parsed.body === undefined) return '';
  if (!parsed.isBase64Encoded) {
    // a string that arrived decoded can still hold half a character (a lone surrogate), which UTF-8 cannot carry
    if (LONE_SURROGATE.test(parsed.body)) throw notUtf8();
    return parsed.body;
  }
  try {
    return UTF8.decode(raw);
  } catch {
    throw notUtf8();
  }
}

/** Uploads whose encoding their handler decides (a CSV as Excel saves it may be GBK): read from `rawBody` only. */
const isEncodedUpload = (headers: Readonly<Record<string, string>>): boolean =>
  (headers['content-type'] ?? '').toLowerCase().startsWith('text/csv');

export function toRequest(event: unknown): HttpRequest {
  const parsed = HttpEventSchema.parse(event);
  const headers = Object.fromEntries(Object.entries(parsed.headers).map(([name, value]) => [name.toLowerCase(), value]));
  const rawBody = bodyBytes(parsed);
  const body = isEncodedUpload(headers) ? '' : bodyText(parsed, rawBody);
  return {
    method: parsed.requestContext.http.method.toUpperCase(),
    path: parsed.rawPath,
    query: new URLSearchParams(parsed.rawQueryString),
    headers,
    cookies: parseCookies(parsed),
    pathParameters: parsed.pathParameters,
    body,
    rawBody,
    requestId: parsed.requestContext.requestId,
  };
}

/** The JSON body, checked against its schema: malformed JSON and wrong shapes are 400 with the reason. */
export function jsonBody<T>(request: HttpRequest, schema: z.ZodType<T>): T {
  let value: unknown;
  try {
    value = JSON.parse(request.body);
  } catch {
    throw new ValidationError('请求内容不是有效的 JSON。', 'MALFORMED_JSON');
  }
  const inexact = firstInexactNumber(request.body);
  if (inexact)
    throw new ValidationError(inexactNumberMessage(inexact), 'INEXACT_NUMBER', {
      number: inexact.text.slice(0, 24),
      reason: inexact.reason,
    });
  const result = schema.safeParse(value);
  if (!result.success) {
    const issues = result.error.issues.slice(0, 20).map((issue) => ({ path: issue.path.map(String).join('.'), message: issue.message }));
    throw new ValidationError('请求内容的格式不正确。', 'INVALID_BODY', { issues });
  }
  return result.data;
}

/** An HTML form post (application/x-www-form-urlencoded). */
export function formBody(request: HttpRequest): URLSearchParams {
  const type = request.headers['content-type'] ?? '';
  if (!type.startsWith('application/x-www-form-urlencoded')) {
    throw new ValidationError('请通过页面上的表单提交。', 'UNSUPPORTED_MEDIA_TYPE');
  }
  // URLSearchParams would turn a percent-escape that is not UTF-8 (%FF) into U+FFFD without a word
  for (const part of request.body.split('&')) {
    try {
      decodeURIComponent(part.replaceAll('+', ' '));
    } catch {
      throw new ValidationError('提交的内容不是有效的 UTF-8 文本。', 'INVALID_UTF8');
    }
  }
  return new URLSearchParams(request.body);
}

export function pathParameter(request: HttpRequest, name: string): string {
  const value = request.pathParameters[name];
  if (value === undefined || value === '') throw new ValidationError(`缺少路径参数 ${name}。`, 'BAD_PATH');
  return value;
}

/** A report year from the query string (`?year=2026`); 400 when it is missing or not four digits. */
export function yearQuery(request: HttpRequest): number {
  const raw = request.query.get('year') ?? '';
  if (!/^\d{4}$/.test(raw)) throw new ValidationError('请指定年度，如 year=2026。', 'BAD_YEAR');
  return Number(raw);
}
