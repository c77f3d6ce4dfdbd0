import type { SMTPSentMessageInfo, SMTPTransportOptions, Transporter } from 'nodemailer';

import type { MailMessage, Mailer } from '../workflow/ports.js';
import { MailDeliveryError, assertSingleRecipient } from './errors.js';

export interface SmtpMailerOptions {
  /** any nodemailer transporter: smtpTransportFromSettings() in production, streamTransport/jsonTransport in tests */
  readonly transport: Transporter;
  readonly from: string;
}

/**
 * Mail through SMTP (regions or networks without SES). nodemailer builds a multipart/alternative message with a
 * text/plain and a text/html part and encodes the Chinese subject as an RFC 2047 UTF-8 encoded word.
 */
export class SmtpMailer implements Mailer {
  readonly #transport: Transporter;
  readonly #from: string;

  constructor(options: SmtpMailerOptions) {
    this.#transport = options.transport;
    this.#from = options.from;
  }

  async send(message: MailMessage): Promise<{ messageId: string }> {
    assertSingleRecipient(message.to, 'smtp');
    let messageId: unknown;
    try {
      ({ messageId } = await this.#transport.sendMail({
        from: this.#from,
        to: message.to,
        subject: message.subject,
        text: message.text,
        html: message.html,
        // the bodies are strings we rendered; never let nodemailer fetch files or URLs on their behalf
        disableFileAccess: true,
        disableUrlAccess: true,
      }));
    } catch (error) {
      throw smtpDeliveryError(error);
    }
    if (typeof messageId !== 'string' || messageId === '') {
      throw new MailDeliveryError({ provider: 'smtp', errorName: 'MissingMessageId', retryable: false });
    }
    return { messageId };
  }
}

export interface SmtpSettings {
  readonly host: string;
  readonly port: number;
  /** true: TLS from the first byte (usually port 465); false: STARTTLS when offered (587, 25) */
  readonly secure: boolean;
  readonly user?: string | undefined;
  readonly password?: string | undefined;
}

/**
 * The SMTP transporter for SmtpMailer. Timeouts are short enough for a Lambda; with credentials and `secure: false`
 * STARTTLS is required, so a password never crosses the network in clear text. nodemailer (about 240 KB bundled) is
 * loaded here and only here, when a stage mails through SMTP: the Lambda bundles of SES stages leave it out.
 */
export async function smtpTransportFromSettings(settings: SmtpSettings): Promise<Transporter<SMTPSentMessageInfo, SMTPTransportOptions>> {
  const hasUser = settings.user !== undefined && settings.user !== '';
  const hasPassword = settings.password !== undefined && settings.password !== '';
  if (hasUser !== hasPassword) {
    throw new Error('SMTP settings: give both user and password, or neither.');
  }
  if (!Number.isInteger(settings.port) || settings.port < 1 || settings.port > 65_535) {
    throw new Error(`SMTP settings: port must be an integer between 1 and 65535, got ${settings.port}.`);
  }
  const { default: nodemailer } = await import('nodemailer');
  return nodemailer.createTransport({
    host: settings.host,
    port: settings.port,
    secure: settings.secure,
    ...(hasUser ? { auth: { user: settings.user, pass: settings.password }, requireTLS: !settings.secure } : {}),
    connectionTimeout: 10_000,
    greetingTimeout: 10_000,
    socketTimeout: 30_000,
  });
}

/** no SMTP reply at all, but worth another try later */
const TRANSIENT_CODES = new Set(['ECONNECTION', 'ETIMEDOUT', 'ESOCKET', 'EDNS', 'EMAXLIMIT']);
const SAFE_NAME = /^[A-Za-z0-9_.:-]{1,100}$/u;

interface NodemailerErrorShape {
  name?: unknown;
  code?: unknown;
  responseCode?: unknown;
  permanent?: unknown;
}

/**
 * Maps a nodemailer error to a MailDeliveryError. A server reply decides by its class (nodemailer's `permanent`,
 * else 4xx retryable / 5xx final); without a reply, connection-level failures are retryable and configuration
 * failures (EAUTH, ENOAUTH, ETLS, ECONFIG, EENVELOPE…) are final. The server's response text is not kept.
 */
function smtpDeliveryError(error: unknown): MailDeliveryError {
  const shape: NodemailerErrorShape = typeof error === 'object' && error !== null ? (error as NodemailerErrorShape) : {};
  const errorName =
    typeof shape.code === 'string' && SAFE_NAME.test(shape.code)
      ? shape.code
      : typeof shape.name === 'string' && SAFE_NAME.test(shape.name)
        ? shape.name
        : 'UnknownError';
  const responseCode = typeof shape.responseCode === 'number' ? shape.responseCode : undefined;
  let retryable: boolean;
  if (typeof shape.permanent === 'boolean') retryable = !shape.permanent;
  else if (responseCode !== undefined) retryable = responseCode >= 400 && responseCode < 500;
  else retryable = TRANSIENT_CODES.has(errorName);
  return new MailDeliveryError({ provider: 'smtp', errorName, retryable, statusCode: responseCode });
}
