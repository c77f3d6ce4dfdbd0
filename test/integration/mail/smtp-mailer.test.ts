import type { AddressInfo } from 'node:net';
import { SMTPServer } from 'smtp-server';
import { afterEach, describe, expect, it } from 'vitest';

import { MailDeliveryError } from '../../../shared/mail/errors.js';
import { reviewRequestMessage } from '../../../shared/mail/messages.js';
import { SmtpMailer, smtpTransportFromSettings } from '../../../shared/mail/smtp-mailer.js';
import { parseMime } from '../../unit/shared/mail/mime.js';

/**
 * A real SMTP server (smtp-server, by nodemailer's authors) on the loopback interface. It offers AUTH over the plain
 * connection but never STARTTLS, so a client that would send credentials unencrypted is caught doing it;
 * `rcptReply` decides how it answers RCPT TO.
 */
interface TestSmtp {
  readonly port: number;
  readonly authAttempts: string[];
  readonly messages: Array<{ from: string; to: string[]; data: string }>;
  close(): Promise<void>;
}

async function startTestSmtp(rcptReply: { code: number; message: string } = { code: 250, message: 'OK' }): Promise<TestSmtp> {
  const authAttempts: string[] = [];
  const messages: TestSmtp['messages'] = [];
  const server = new SMTPServer({
    name: 'smtp.example.cn',
    disabledCommands: ['STARTTLS'],
    allowInsecureAuth: true,
    authOptional: true,
    logger: false,
    onAuth(auth, _session, callback) {
      authAttempts.push(auth.username ?? '');
      callback(new Error('authentication is not accepted here'));
    },
    onRcptTo(_address, _session, callback) {
      if (rcptReply.code === 250) return callback();
      callback(Object.assign(new Error(rcptReply.message), { responseCode: rcptReply.code }));
    },
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (chunk: Buffer) => chunks.push(chunk));
      stream.on('end', () => {
        const from = session.envelope.mailFrom === false ? '' : session.envelope.mailFrom.address;
        messages.push({ from, to: session.envelope.rcptTo.map((rcpt) => rcpt.address), data: Buffer.concat(chunks).toString('utf8') });
        callback();
      });
    },
  });
  const port = await new Promise<number>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve((server.server.address() as AddressInfo).port));
  });
  return { port, authAttempts, messages, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

const message = reviewRequestMessage({
  to: 'director@kw.example.cn',
  baseUrl: 'http://localhost:3000',
  approverName: '王主任',
  agencyName: '北京市大兴区科学技术委员会',
  year: 2020,
  version: 1,
  step: { label: '办公室主任审核', kind: 'review', confidentiality: true },
  reviewUrl: 'reviews/rv_1?sig=abc',
  warningsCount: 0,
  reminder: false,
});

async function rejection(promise: Promise<unknown>): Promise<MailDeliveryError> {
  const error: unknown = await promise.then(
    () => undefined,
    (reason: unknown) => reason,
  );
  expect(error).toBeInstanceOf(MailDeliveryError);
  return error as MailDeliveryError;
}

describe('SmtpMailer over a real SMTP connection', () => {
  let smtp: TestSmtp | undefined;
  afterEach(async () => {
    await smtp?.close();
    smtp = undefined;
  });

  it('delivers one message to one recipient with the Chinese subject, text and html intact', async () => {
    smtp = await startTestSmtp();
    const transport = await smtpTransportFromSettings({ host: '127.0.0.1', port: smtp.port, secure: false });
    const mailer = new SmtpMailer({ transport, from: 'noreply@nianbao.example.cn' });

    const { messageId } = await mailer.send(message);
    transport.close();

    expect(smtp.messages).toHaveLength(1);
    const [received] = smtp.messages;
    expect(received?.from).toBe('noreply@nianbao.example.cn');
    expect(received?.to).toEqual(['director@kw.example.cn']);
    const mime = parseMime(received?.data ?? '');
    expect(mime.headers.get('subject')).toBe(message.subject);
    expect(mime.headers.get('message-id')).toBe(messageId);
    expect(mime.parts.map((part) => part.headers.get('content-type'))).toEqual(['text/plain; charset=utf-8', 'text/html; charset=utf-8']);
    expect(mime.parts[0]?.body.replace(/\r\n/gu, '\n')).toBe(message.text);
    expect(mime.parts[1]?.body.replace(/\r\n/gu, '\n')).toBe(message.html);
  });

  it('reports a 550 recipient rejection as final and a 451 as retryable', async () => {
    smtp = await startTestSmtp({ code: 550, message: '5.1.1 <director@kw.example.cn>: no such user' });
    let transport = await smtpTransportFromSettings({ host: '127.0.0.1', port: smtp.port, secure: false });
    const final = await rejection(new SmtpMailer({ transport, from: 'noreply@nianbao.example.cn' }).send(message));
    transport.close();
    expect(final).toMatchObject({ provider: 'smtp', errorName: 'EENVELOPE', retryable: false, statusCode: 550 });
    expect(final.message).not.toContain('director@kw.example.cn');
    await smtp.close();

    smtp = await startTestSmtp({ code: 451, message: '4.3.0 try again later' });
    transport = await smtpTransportFromSettings({ host: '127.0.0.1', port: smtp.port, secure: false });
    const retry = await rejection(new SmtpMailer({ transport, from: 'noreply@nianbao.example.cn' }).send(message));
    transport.close();
    expect(retry).toMatchObject({ provider: 'smtp', errorName: 'EENVELOPE', retryable: true, statusCode: 451 });
  });

  it('never sends credentials to a server that does not offer STARTTLS', async () => {
    smtp = await startTestSmtp();
    const transport = await smtpTransportFromSettings({
      host: '127.0.0.1',
      port: smtp.port,
      secure: false,
      user: 'nianbao',
      password: 'hunter2',
    });

    const error = await rejection(new SmtpMailer({ transport, from: 'noreply@nianbao.example.cn' }).send(message));
    transport.close();

    expect(error).toMatchObject({ provider: 'smtp', retryable: false });
    expect(smtp.authAttempts).toEqual([]);
    expect(smtp.messages).toHaveLength(0);
  });

  it('reports a refused connection as retryable', async () => {
    const closed = await startTestSmtp();
    const port = closed.port;
    await closed.close();
    const transport = await smtpTransportFromSettings({ host: '127.0.0.1', port, secure: false });

    const error = await rejection(new SmtpMailer({ transport, from: 'noreply@nianbao.example.cn' }).send(message));
    transport.close();

    expect(error).toMatchObject({ provider: 'smtp', retryable: true });
  });
});
