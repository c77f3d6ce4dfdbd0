/// <reference lib="dom" />

/** JSON calls to the API from the pages: same origin, `Content-Type: application/json` (the API refuses anything else). */

export interface ApiAnswer {
  readonly status: number;
  /** the parsed body, or undefined for an empty or non-JSON one */
  readonly body: unknown;
}

export async function callApi(method: 'GET' | 'POST' | 'PUT', url: string, body?: unknown): Promise<ApiAnswer> {
  const response = await fetch(url, {
    method,
    credentials: 'same-origin',
    headers: body === undefined ? { accept: 'application/json' } : { accept: 'application/json', 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
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
