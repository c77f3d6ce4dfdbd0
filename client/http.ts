/// <reference lib="dom" />

/** Calls to the API from the pages: same origin, JSON (`Content-Type: application/json`) unless a route takes a file. */

export interface ApiAnswer {
  readonly status: number;
  /** the parsed body, or undefined for an empty or non-JSON one */
  readonly body: unknown;
}

export type ApiMethod = 'GET' | 'POST' | 'PUT' | 'DELETE';

export async function callApi(method: ApiMethod, url: string, body?: unknown): Promise<ApiAnswer> {
  return body === undefined ? sendApi(method, url) : sendApi(method, url, JSON.stringify(body), 'application/json');
}

/** The same call with a body that is not JSON (a CSV file's bytes) and its content type. */
export async function sendApi(method: ApiMethod, url: string, body?: BodyInit, contentType?: string): Promise<ApiAnswer> {
  const response = await fetch(url, {
    method,
    credentials: 'same-origin',
    headers: contentType === undefined ? { accept: 'application/json' } : { accept: 'application/json', 'content-type': contentType },
    ...(body === undefined ? {} : { body }),
  });
  const text = await response.text();
  let parsed: unknown;
  try {
    parsed = text === '' ? undefined : JSON.parse(text);
  } catch {
    parsed = undefined;
  }
  return { status: response.status, body: parsed };
}

const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/** The API's `{error: {code, message, …}}`, or a general message. */
export function apiError(answer: ApiAnswer): { code: string; message: string; details: Record<string, unknown> } {
  const error = isRecord(answer.body) && isRecord(answer.body['error']) ? answer.body['error'] : {};
  const code = typeof error['code'] === 'string' ? error['code'] : `HTTP_${answer.status}`;
  const message = typeof error['message'] === 'string' ? error['message'] : `请求未成功（${answer.status}），请稍后重试。`;
  return { code, message, details: error };
}

export function field(value: unknown, key: string): unknown {
  return isRecord(value) ? value[key] : undefined;
}

export function element<T extends HTMLElement>(id: string, type: new () => T): T | undefined {
  const found = document.getElementById(id);
  return found instanceof type ? found : undefined;
}
