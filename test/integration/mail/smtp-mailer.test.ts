import { type AddressInfo, type Server, type Socket, createServer } from 'node:net';

import { afterEach, describe, expect, it } from 'vitest';

import { MailDeliveryError } from '../../../shared/mail/errors.js';
import { reviewRequestMessage } from '../../../shared/mail/messages.js';
import { SmtpMailer, smtpTransportFromSettings } from '../../../shared/mail/smtp-mailer.js';
import { parseMime } from '../../unit/shared/mail/mime.js';

/**
 * A minimal SMTP server on the loopback interface: enough of RFC 5321 for nodemailer to deliver one message per
 * connection. It never offers STARTTLS or AUTH; `rcptReply` decides how it answers RCPT TO.
 */
interface FakeSmtp {
  readonly port: number;
  readonly commands: string[];
  readonly messages: Array<{ from: string; to: string[]; data: string }>;
  close(): Promise<void>;
}

async function startFakeSmtp(rcptReply = '250 2.1.5 OK'): Promise<FakeSmtp> {
  const commands: string[] = [];
  const messages: FakeSmtp['messages'] = [];
  const sockets = new Set<Socket>();
  const server: Server = createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.setEncoding('utf8');
    let buffer = '';
    let inData = false;
    let data: string[] = [];
    let from = '';
    let to: string[] = [];
    const reply = (line: string): void => {
      socket.write(`${line}\r\n`);
    };
    reply('220 fake.example.cn ESMTP');
    socket.on('data', (chunk: string) => {
      buffer += chunk;
      let newline: number;
      while ((newline = buffer.indexOf('\r\n')) !== -1) {
        const line = buffer.slice(0, newline);
        buffer = buffer.slice(newline + 2);
        if (inData) {
          if (line === '.') {
            inData = false;
            messages.push({ from, to, data: data.join('\r\n') });
            data = [];
            reply('250 2.0.0 queued');
          } else {
            data.push(line.startsWith('..') ? line.slice(1) : line);
          }
          continue;
        }
        commands.push(line);
        const verb = line.split(/[ :]/u)[0]?.toUpperCase();
        if (verb === 'EHLO') {
          socket.write('250-fake.example.cn\r\n250-8BITMIME\r\n250 SMTPUTF8\r\n');
        } else if (verb === 'HELO' || verb === 'RSET' || verb === 'NOOP') {
          reply('250 OK');
        } else if (verb === 'MAIL') {
          from = /<(.*)>/u.exec(line)?.[1] ?? '';
          to = [];
          reply('250 2.1.0 OK');
        } else if (verb === 'RCPT') {
          if (rcptReply.startsWith('250')) to.push(/<(.*)>/u.exec(line)?.[1] ?? '');
          reply(rcptReply);
        } else if (verb === 'DATA') {
          inData = true;
          reply('354 go ahead');
        } else if (verb === 'QUIT') {
          reply('221 bye');
          socket.end();
        } else {
          reply('502 5.5.2 not implemented');
        }
      }
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    port: (server.address() as AddressInfo).port,
    commands,
    messages,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
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
  let smtp: FakeSmtp | undefined;
  afterEach(async () => {
    await smtp?.close();
    smtp = undefined;
  });

  it('delivers one message to one recipient with the Chinese subject, text and html intact', async () => {
    smtp = await startFakeSmtp();
    const transport = smtpTransportFromSettings({ host: '127.0.0.1', port: smtp.port, secure: false });
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
    expect(mime.parts.map((part) => part.headers.get('content-type'))).toEqual([
      'text/plain; charset=utf-8',
      'text/html; charset=utf-8',
    ]);
    expect(mime.parts[0]?.body.replace(/\r\n/gu, '\n')).toBe(message.text);
    expect(mime.parts[1]?.body.replace(/\r\n/gu, '\n')).toBe(message.html);
  });

  it('reports a 550 recipient rejection as final and a 451 as retryable', async () => {
    smtp = await startFakeSmtp('550 5.1.1 <director@kw.example.cn>: no such user');
    let transport = smtpTransportFromSettings({ host: '127.0.0.1', port: smtp.port, secure: false });
    const final = await rejection(new SmtpMailer({ transport, from: 'noreply@nianbao.example.cn' }).send(message));
    transport.close();
    expect(final).toMatchObject({ provider: 'smtp', errorName: 'EENVELOPE', retryable: false, statusCode: 550 });
    expect(final.message).not.toContain('director@kw.example.cn');
    await smtp.close();

    smtp = await startFakeSmtp('451 4.3.0 try again later');
    transport = smtpTransportFromSettings({ host: '127.0.0.1', port: smtp.port, secure: false });
    const retry = await rejection(new SmtpMailer({ transport, from: 'noreply@nianbao.example.cn' }).send(message));
    transport.close();
    expect(retry).toMatchObject({ provider: 'smtp', errorName: 'EENVELOPE', retryable: true, statusCode: 451 });
  });

  it('never sends credentials to a server that does not offer STARTTLS', async () => {
    smtp = await startFakeSmtp();
    const transport = smtpTransportFromSettings({ host: '127.0.0.1', port: smtp.port, secure: false, user: 'nianbao', password: 'hunter2' });

    const error = await rejection(new SmtpMailer({ transport, from: 'noreply@nianbao.example.cn' }).send(message));
    transport.close();

    expect(error).toMatchObject({ provider: 'smtp', retryable: false });
    expect(smtp.commands.some((command) => /^AUTH/iu.test(command))).toBe(false);
    expect(smtp.commands.join('\n')).not.toContain(Buffer.from('hunter2').toString('base64'));
    expect(smtp.messages).toHaveLength(0);
  });

  it('reports a refused connection as retryable', async () => {
    const closed = await startFakeSmtp();
    const port = closed.port;
    await closed.close();
    const transport = smtpTransportFromSettings({ host: '127.0.0.1', port, secure: false });

    const error = await rejection(new SmtpMailer({ transport, from: 'noreply@nianbao.example.cn' }).send(message));
    transport.close();

    expect(error).toMatchObject({ provider: 'smtp', retryable: true });
  });
});
