import { logger } from '../runtime/logger.js';
import { toResponse, type ErrorLog } from './errors.js';
import { toRequest, type HttpRequest } from './request.js';
import type { HttpResponse } from './response.js';

export type Route = (request: HttpRequest) => Promise<HttpResponse>;
export type HttpHandler = (event: unknown) => Promise<HttpResponse>;

export interface RouteLog extends ErrorLog {
  info(message: string, details: Record<string, unknown>): void;
}

/**
 * An HTTP Lambda: parse the event, run the route, map any error through the one mapper. The log line names the
 * route and status only; paths and queries carry review ids and signatures and are left out.
 */
export function httpHandler(name: string, route: Route, log: RouteLog = logger): HttpHandler {
  return async (event) => {
    const started = Date.now();
    let response: HttpResponse;
    let requestId: string | undefined;
    try {
      const request = toRequest(event);
      requestId = request.requestId;
      response = await route(request);
    } catch (error) {
      response = toResponse(error, log);
    }
    log.info('http', { route: name, status: response.statusCode, requestId, ms: Date.now() - started });
    return response;
  };
}
