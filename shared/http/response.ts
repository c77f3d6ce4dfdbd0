/** Responses in API Gateway's payload 2.0 shape, which the local server writes back as they are. */
export interface HttpResponse {
  readonly statusCode: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly cookies?: readonly string[];
  readonly body: string;
  /** set when `body` is base64 (a download that is not text), as API Gateway expects */
  readonly isBase64Encoded?: boolean;
}

/**
 * Sent with every response. same-origin keeps a review link's signature out of other sites' logs (no-referrer would
 * make browsers send `Origin: null` on our own form posts, which the same-origin check refuses); the policy allows
 * only this origin's own script and style.
 */
export const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'same-origin',
  'x-frame-options': 'DENY',
  'content-security-policy':
    "default-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'",
};

interface Extra {
  readonly headers?: Readonly<Record<string, string>>;
  readonly cookies?: readonly string[];
}

function respond(statusCode: number, contentType: string | undefined, body: string, extra: Extra = {}): HttpResponse {
  return {
    statusCode,
    headers: {
      ...SECURITY_HEADERS,
      'cache-control': 'no-store',
      ...(contentType === undefined ? {} : { 'content-type': contentType }),
      ...extra.headers,
    },
    ...(extra.cookies === undefined ? {} : { cookies: extra.cookies }),
    body,
  };
}

export const json = (statusCode: number, value: unknown, extra?: Extra): HttpResponse =>
  respond(statusCode, 'application/json; charset=utf-8', JSON.stringify(value), extra);

export const html = (statusCode: number, page: string, extra?: Extra): HttpResponse =>
  respond(statusCode, 'text/html; charset=utf-8', page, extra);

export const noContent = (extra?: Extra): HttpResponse => respond(204, undefined, '', extra);

export const seeOther = (location: string, extra?: Extra): HttpResponse =>
  respond(303, undefined, '', { ...extra, headers: { ...extra?.headers, location } });

/** A file to download: text as it is, bytes (an XLSX workbook) base64 in the payload and bytes on the wire. */
export function download(body: string | Uint8Array, contentType: string, fileName: string): HttpResponse {
  const headers = { 'content-disposition': `attachment; filename*=UTF-8''${encodeURIComponent(fileName)}` };
  if (typeof body === 'string') return respond(200, contentType, body, { headers });
  return { ...respond(200, contentType, Buffer.from(body).toString('base64'), { headers }), isBase64Encoded: true };
}
