/**
 * The workflow's typed errors. Each maps to one HTTP status in the one error mapper (shared/http/errors.ts);
 * messages are Chinese because people read them, codes are stable because programs do.
 */
export abstract class DomainError extends Error {
  abstract readonly status: number;
  abstract readonly code: string;
  readonly details: Readonly<Record<string, unknown>> | undefined;
  constructor(message: string, details?: Readonly<Record<string, unknown>>) {
    super(message);
    this.details = details;
  }
}

/** A write lost a race (conditional check failed); the caller re-reads and answers with what won. */
export class ConflictError extends DomainError {
  override readonly name = 'ConflictError';
  readonly status = 409;
  readonly code: string;
  constructor(message = '数据已被其他操作更新，请刷新后重试。', code = 'CONFLICT', details?: Readonly<Record<string, unknown>>) {
    super(message, details);
    this.code = code;
  }
}

export class NotFoundError extends DomainError {
  override readonly name = 'NotFoundError';
  readonly status = 404;
  readonly code = 'NOT_FOUND';
  constructor(message = '找不到该内容。') {
    super(message);
  }
}

export class UnauthenticatedError extends DomainError {
  override readonly name = 'UnauthenticatedError';
  readonly status = 401;
  readonly code = 'UNAUTHENTICATED';
  constructor(message = '请先登录。') {
    super(message);
  }
}

export class ForbiddenError extends DomainError {
  override readonly name = 'ForbiddenError';
  readonly status = 403;
  readonly code: string;
  constructor(message = '您没有权限进行此操作。', code = 'FORBIDDEN') {
    super(message);
    this.code = code;
  }
}

export class ValidationError extends DomainError {
  override readonly name = 'ValidationError';
  readonly status = 400;
  readonly code: string;
  constructor(message: string, code = 'BAD_REQUEST', details?: Readonly<Record<string, unknown>>) {
    super(message, details);
    this.code = code;
  }
}

/** A signed link past its expiry. */
export class GoneError extends DomainError {
  override readonly name = 'GoneError';
  readonly status = 410;
  readonly code: string;
  constructor(message = '该链接已过期。', code = 'LINK_EXPIRED') {
    super(message);
    this.code = code;
  }
}

export class TooManyRequestsError extends DomainError {
  override readonly name = 'TooManyRequestsError';
  readonly status = 429;
  readonly code = 'TOO_MANY_REQUESTS';
  constructor(message = '请求过于频繁，请稍后再试。') {
    super(message);
  }
}

export class PayloadTooLargeError extends DomainError {
  override readonly name = 'PayloadTooLargeError';
  readonly status = 413;
  readonly code = 'PAYLOAD_TOO_LARGE';
  constructor(message = '提交的内容超过 256 KiB 上限。') {
    super(message);
  }
}

/**
 * The round's execution has already ended (failed, timed out, stopped): starting it again under its name is refused,
 * never taken for the start that already happened. An operator redrives it or starts a new round (restart-round).
 */
export class RoundClosedError extends DomainError {
  override readonly name = 'RoundClosedError';
  readonly status = 409;
  readonly code = 'ROUND_CLOSED';
  constructor(executionName: string, executionStatus: string) {
    super('本轮审核流程已经结束（失败、超时或被停止），请联系系统管理员恢复或重新开始本轮审核。', { executionName, executionStatus });
  }
}

/** The workflow no longer waits on that task token (TaskTimedOut, TaskDoesNotExist, InvalidToken). */
export class TaskGoneError extends Error {
  override readonly name = 'TaskGoneError';
}

/** A report that fails its checks: the findings go back to the officer beside the usual error. */
export class ReportRejectedError extends DomainError {
  override readonly name = 'ReportRejectedError';
  readonly status = 400;
  readonly code = 'REPORT_INVALID';
  constructor(errors: readonly unknown[], warnings: readonly unknown[]) {
    super(`报告有 ${errors.length} 处错误，请改正后再提交。`, { errors, warnings });
  }
}
