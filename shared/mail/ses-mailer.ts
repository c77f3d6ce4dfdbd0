import { SendEmailCommand, type SESv2Client } from '@aws-sdk/client-sesv2';

import type { MailMessage, Mailer } from '../workflow/ports.js';
import { MailDeliveryError, assertSingleRecipient } from './errors.js';
import { sesFromAddress } from './ses-from-address.js';

export interface SesMailerOptions {
  readonly client: SESv2Client;
  /** a verified identity: `年报系统 <noreply@example.gov.cn>` or a bare address */
  readonly from: string;
  /** SES configuration set (event publishing, dedicated IPs, suppression) */
  readonly configurationSet?: string | undefined;
}

/** Mail through Amazon SES v2 (the AWS deployment). One SendEmail call per message, one recipient per message. */
export class SesMailer implements Mailer {
  readonly #client: SESv2Client;
  readonly #from: string;
  readonly #configurationSet: string | undefined;

  constructor(options: SesMailerOptions) {
    this.#client = options.client;
    this.#from = sesFromAddress(options.from);
    this.#configurationSet = options.configurationSet;
  }

  async send(message: MailMessage): Promise<{ messageId: string }> {
    assertSingleRecipient(message.to, 'ses');
    const command = new SendEmailCommand({
      FromEmailAddress: this.#from,
      Destination: { ToAddresses: [message.to] },
      Content: {
        Simple: {
          Subject: { Data: message.subject, Charset: 'UTF-8' },
          Body: {
            Text: { Data: message.text, Charset: 'UTF-8' },
            Html: { Data: message.html, Charset: 'UTF-8' },
          },
        },
      },
      ...(this.#configurationSet === undefined ? {} : { ConfigurationSetName: this.#configurationSet }),
    });

    let messageId: string | undefined;
    try {
      ({ MessageId: messageId } = await this.#client.send(command));
    } catch (error) {
      throw sesDeliveryError(error);
    }
    if (messageId === undefined || messageId === '') {
      // SES accepted the call, so the message may well be on its way: not retryable, or it could go out twice.
      throw new MailDeliveryError({ provider: 'ses', errorName: 'MissingMessageId', retryable: false });
    }
    return { messageId };
  }
}

const THROTTLING = new Set([
  'TooManyRequestsException',
  'ThrottlingException',
  'Throttling',
  'ThrottledException',
  'RequestThrottled',
  'RequestLimitExceeded',
  'SlowDown',
]);
const TRANSIENT = new Set(['TimeoutError', 'RequestTimeout', 'RequestTimeoutException', 'InternalFailure', 'ServiceUnavailable']);
const NETWORK_CODES = new Set([
  'ECONNRESET',
  'ECONNREFUSED',
  'ECONNABORTED',
  'ETIMEDOUT',
  'EPIPE',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ENETUNREACH',
  'EHOSTUNREACH',
  'UND_ERR_SOCKET',
]);
const SAFE_NAME = /^[A-Za-z0-9_.:-]{1,100}$/u;

interface SdkErrorShape {
  name?: unknown;
  code?: unknown;
  $fault?: unknown;
  $retryable?: unknown;
  $metadata?: { httpStatusCode?: unknown; requestId?: unknown };
}

/**
 * Maps what the SDK threw (after its own retries) to a MailDeliveryError. Client faults such as MessageRejected,
 * AccountSuspendedException or SendingPausedException are final; throttling, server faults, timeouts and network
 * failures (resets, refused connections, DNS) are retryable. Anything else (a bug) is final.
 */
function sesDeliveryError(error: unknown): MailDeliveryError {
  const shape: SdkErrorShape = typeof error === 'object' && error !== null ? (error as SdkErrorShape) : {};
  const errorName = safeName(shape.name, shape.code);
  const status = typeof shape.$metadata?.httpStatusCode === 'number' ? shape.$metadata.httpStatusCode : undefined;
  const requestId = typeof shape.$metadata?.requestId === 'string' ? shape.$metadata.requestId : undefined;
  const retryable =
    THROTTLING.has(errorName) ||
    TRANSIENT.has(errorName) ||
    shape.$fault === 'server' ||
    (shape.$retryable !== undefined && shape.$retryable !== null) ||
    status === 429 ||
    (status !== undefined && status >= 500) ||
    (status === undefined && typeof shape.code === 'string' && NETWORK_CODES.has(shape.code));
  return new MailDeliveryError({ provider: 'ses', errorName, retryable, statusCode: status, requestId });
}

/** the error's name, or a Node error code for a generic Error (`ECONNRESET`), as long as it looks like an identifier */
function safeName(name: unknown, code: unknown): string {
  if (typeof name === 'string' && name !== 'Error' && SAFE_NAME.test(name)) return name;
  if (typeof code === 'string' && SAFE_NAME.test(code)) return code;
  return 'UnknownError';
}
