import { randomUUID } from 'node:crypto';
import * as z from 'zod';
import { DomainError } from '../workflow/errors.js';
import { json, type HttpResponse } from './response.js';

/** The one mapper from errors to HTTP: `{ error: { code, message } }`, plus the details a caller can act on. */

export interface ErrorLog {
  error(message: string, details: Record<string, unknown>): void;
}

export function errorBody(error: DomainError): Record<string, unknown> {
  const { errors, warnings, ...details } = error.details ?? {};
  return {
    error: { code: error.code, message: error.message, ...details },
    // a rejected report answers with its findings where the form expects them
    ...(errors === undefined ? {} : { errors, warnings }),
  };
}

export function toResponse(error: unknown, log: ErrorLog): HttpResponse {
  if (error instanceof DomainError) return json(error.status, errorBody(error));
  if (error instanceof z.ZodError) {
    return json(400, { error: { code: 'BAD_REQUEST', message: '请求的格式不正确。' } });
  }
  const correlationId = randomUUID();
  log.error('unhandled error', {
    correlationId,
    errorName: error instanceof Error ? error.name : typeof error,
    stack: error instanceof Error ? error.stack : undefined,
  });
  return json(500, {
    error: { code: 'INTERNAL', message: `系统出错了，请稍后重试。如持续出现，请把编号 ${correlationId} 告诉管理员。`, correlationId },
  });
}
