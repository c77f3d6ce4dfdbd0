/**
 * The mail adapters' typed errors.
 *
 * A MailDeliveryError says which provider refused, under which error name, and whether sending the same message
 * again later can succeed. It deliberately carries neither the provider's error message nor the original error as
 * `cause`: both can echo parts of the message (recipients, and through them a sign-in code or a signed review link
 * could reach a log line). Everything on it is safe to log.
 */
export type MailProvider = 'ses' | 'smtp' | 'outbox';

export interface MailDeliveryErrorDetails {
  readonly provider: MailProvider;
  /** the provider's error name or code: `MessageRejected`, `TooManyRequestsException`, `EAUTH`, `ECONNECTION`… */
  readonly errorName: string;
  /** true when the same message may be accepted on a later attempt (throttling, timeouts, 4xx SMTP replies, 5xx API) */
  readonly retryable: boolean;
  /** HTTP status (SES) or SMTP reply code, when the provider answered */
  readonly statusCode?: number | undefined;
  /** the provider's request id (SES), for support cases */
  readonly requestId?: string | undefined;
}

export class MailDeliveryError extends Error {
  override readonly name = 'MailDeliveryError';
  readonly code = 'MAIL_DELIVERY_FAILED';
  readonly provider: MailProvider;
  readonly errorName: string;
  readonly retryable: boolean;
  readonly statusCode: number | undefined;
  readonly requestId: string | undefined;

  constructor(details: MailDeliveryErrorDetails) {
    const status = details.statusCode === undefined ? '' : ` ${details.statusCode}`;
    super(`邮件发送失败（${details.provider}: ${details.errorName}${status}）${details.retryable ? '，可稍后重试' : ''}。`);
    this.provider = details.provider;
    this.errorName = details.errorName;
    this.retryable = details.retryable;
    this.statusCode = details.statusCode;
    this.requestId = details.requestId;
  }
}

/** The outbox file exists but is not a valid outbox; thrown on construction so the local stack fails loudly. */
export class OutboxFileError extends Error {
  override readonly name = 'OutboxFileError';
  readonly file: string;
  constructor(file: string, problem: string) {
    super(`The mail outbox file ${file} cannot be loaded: ${problem}. Fix the file or move it away, then start again.`);
    this.file = file;
  }
}

/**
 * Every adapter sends exactly one message to exactly one address: a list, a display name or a header break in
 * `to` is a programming error, refused before any provider sees it.
 */
const SINGLE_ADDRESS = /^[^\s@<>,;:"()[\]\\]+@[^\s@<>,;:"()[\]\\]+$/u;

export function assertSingleRecipient(to: string, provider: MailProvider): void {
  if (!SINGLE_ADDRESS.test(to)) {
    throw new MailDeliveryError({ provider, errorName: 'InvalidRecipient', retryable: false });
  }
}
