import { EventEmitter } from 'node:events';
import type { MessagePort } from 'node:worker_threads';
import * as z from 'zod';
import { PendingReplies } from './pending-replies.js';

/**
 * HTTP requests to an emulator on its own thread, carried over a MessagePort instead of a TCP socket. In a burst the
 * local stack's main thread is the limit, and about a fifth of its time went to Node's HTTP client, socket writes and
 * reads for the ~80 DynamoDB requests a report makes. The SDK still builds, serializes and parses every request as it
 * does against AWS; only the bytes travel differently. The emulator keeps its TCP endpoint for everything else.
 */

const HeadersSchema = z.record(z.string(), z.string());
const BytesSchema = z.custom<Uint8Array>((value) => value instanceof Uint8Array, 'bytes');

export const PortRequestSchema = z.object({
  id: z.number().int(),
  method: z.string(),
  url: z.string(),
  headers: HeadersSchema,
  body: BytesSchema,
});
export type PortRequest = z.infer<typeof PortRequestSchema>;

export const PortResponseSchema = z.object({
  id: z.number().int(),
  statusCode: z.number().int(),
  headers: HeadersSchema,
  body: BytesSchema,
});
export type PortResponse = z.infer<typeof PortResponseSchema>;

/** What the SDK hands a request handler: the parts of its HttpRequest this transport reads. */
export interface SdkHttpRequest {
  readonly method: string;
  readonly path: string;
  readonly query?: Record<string, string | readonly string[] | null | undefined>;
  readonly headers: Record<string, string>;
  readonly body?: unknown;
}

export interface SdkHttpResponse {
  readonly statusCode: number;
  readonly headers: Record<string, string>;
  readonly body: Uint8Array;
}

function queryString(query: SdkHttpRequest['query']): string {
  const parts: string[] = [];
  for (const [key, value] of Object.entries(query ?? {})) {
    if (value === null || value === undefined) parts.push(encodeURIComponent(key));
    else for (const one of typeof value === 'string' ? [value] : value) parts.push(`${encodeURIComponent(key)}=${encodeURIComponent(one)}`);
  }
  return parts.length === 0 ? '' : `?${parts.join('&')}`;
}

function bodyBytes(body: unknown): Uint8Array {
  if (body === undefined || body === null) return new Uint8Array();
  if (typeof body === 'string') return Buffer.from(body, 'utf8');
  if (body instanceof Uint8Array) return body;
  throw new Error('an emulator reached over a MessagePort takes a string or byte body, not a stream');
}

/**
 * The SDK side: a request handler (the SDK takes any object with `handle`) that posts each request to the emulator's
 * thread and resolves with its answer. The port keeps the process alive only while a request waits.
 */
export class PortHttpHandler {
  private readonly replies: PendingReplies<SdkHttpResponse>;

  constructor(private readonly port: MessagePort) {
    this.replies = new PendingReplies((busy) => (busy ? port.ref() : port.unref()));
    port.on('message', (message: unknown) => {
      const response = PortResponseSchema.parse(message);
      this.replies.settle(response.id, {
        value: { statusCode: response.statusCode, headers: response.headers, body: response.body },
      });
    });
    port.on('close', () => this.replies.failAll(new Error('the emulator thread closed its port')));
    port.unref();
  }

  async handle(request: SdkHttpRequest): Promise<{ response: SdkHttpResponse }> {
    const url = `${request.path}${queryString(request.query)}`;
    const body = bodyBytes(request.body);
    const response = await this.replies.ask((id) => {
      const message: PortRequest = { id, method: request.method, url, headers: { ...request.headers }, body };
      this.port.postMessage(message);
    });
    return { response };
  }

  updateHttpClientConfig(): void {}

  httpHandlerConfigs(): Record<string, never> {
    return {};
  }

  destroy(): void {
    this.replies.failAll(new Error('the request handler was destroyed'));
    this.port.close();
  }
}

/**
 * The emulator's side: each request posted to the port is given to the emulator's own `(req, res)` listener as a
 * minimal IncomingMessage (method, url, headers, then its body as one `data` event and `end`) and ServerResponse
 * (statusCode, setHeader, getHeader, end), which is all dynalite's listener touches.
 */
export interface PortIncomingMessage extends EventEmitter {
  readonly method: string;
  readonly url: string;
  readonly headers: Record<string, string>;
}

export interface PortServerResponse {
  statusCode: number;
  setHeader(name: string, value: unknown): void;
  getHeader(name: string): string | undefined;
  end(body?: string | Uint8Array): void;
}

export function serveOverPort(port: MessagePort, listener: (req: PortIncomingMessage, res: PortServerResponse) => unknown): void {
  port.on('message', (message: unknown) => {
    const request = PortRequestSchema.parse(message);
    const headers: Record<string, string> = {};
    let answered = false;
    const res: PortServerResponse = {
      statusCode: 200,
      setHeader(name: string, value: unknown) {
        headers[name.toLowerCase()] = String(value);
      },
      getHeader: (name: string) => headers[name.toLowerCase()],
      end(body?: string | Uint8Array) {
        if (answered) return;
        answered = true;
        const reply: PortResponse = {
          id: request.id,
          statusCode: res.statusCode,
          headers,
          body: body === undefined ? new Uint8Array() : typeof body === 'string' ? Buffer.from(body, 'utf8') : body,
        };
        port.postMessage(reply);
      },
    };
    const req: PortIncomingMessage = Object.assign(new EventEmitter(), {
      method: request.method,
      url: request.url,
      headers: Object.fromEntries(Object.entries(request.headers).map(([name, value]) => [name.toLowerCase(), value])),
    });
    listener(req, res);
    if (request.body.byteLength > 0) req.emit('data', Buffer.from(request.body.buffer, request.body.byteOffset, request.body.byteLength));
    req.emit('end');
  });
}
