import nodemailer, { type StreamSentMessageInfo, type Transport } from 'nodemailer';
import { describe, expect, it, vi } from 'vitest';

import { MailDeliveryError } from '../../../../shared/mail/errors.js';
import { SmtpMailer, smtpTransportFromSettings } from '../../../../shared/mail/smtp-mailer.js';
import type { MailMessage } from '../../../../shared/workflow/ports.js';
import { parseMime } from './mime.js';

const FROM = 'noreply@nianbao.example.cn';

const message: MailMessage = {
  to: 'officer@kw.example.cn',
  subject: '退回修改：北京市大兴区科学技术委员会2020年政府信息公开工作年度报告（第1版）',
  text: '李信息员，您好：\n\n退回意见如下：\n\n第三部分合计数不一致。\n\n报告页面：\nhttps://nianbao.example.cn/reports/r-1\n',
  html: '<!DOCTYPE html><html lang="zh-CN"><body><p>李信息员，您好：</p><blockquote>第三部分合计数不一致。</blockquote></body></html>',
};

/** a transport that fails every message with the given nodemailer-style error */
function failingTransport(error: Error): Transport {
  return {
    name: 'failing',
    version: '1.0.0',
    send(_mail, callback) {
      callback(error, undefined as never);
    },
  };
}

async function rejection(promise: Promise<unknown>): Promise<MailDeliveryError> {
  const error: unknown = await promise.then(
    () => undefined,
    (reason: unknown) => reason,
  );
  expect(error).toBeInstanceOf(MailDeliveryError);
  return error as MailDeliveryError;
}

describe('SmtpMailer', () => {
  it('builds a message with a UTF-8 encoded Chinese subject, the right From and To, and text/plain + text/html parts', async () => {
    const transport = nodemailer.createTransport({ streamTransport: true, buffer: true, newline: 'unix' });
    const sendMail = vi.spyOn(transport, 'sendMail');
    const mailer = new SmtpMailer({ transport, from: FROM });

    const { messageId } = await mailer.send(message);

    expect(sendMail).toHaveBeenCalledTimes(1);
    const info = (await sendMail.mock.results[0]?.value) as StreamSentMessageInfo;
    const raw = (info.message as Buffer).toString('utf8');
    expect(info.envelope).toEqual({ from: FROM, to: ['officer@kw.example.cn'] });
    const mime = parseMime(raw);
    expect(mime.rawHeaders.get('subject')).toMatch(/^=\?UTF-8\?[BQ]\?/iu);
    expect(raw).not.toContain('退回修改'); // 7-bit clean: the Chinese is encoded in headers and bodies alike
    expect(mime.headers.get('subject')).toBe(message.subject);
    expect(mime.headers.get('from')).toBe(FROM);
    expect(mime.headers.get('to')).toBe('officer@kw.example.cn');
    expect(mime.headers.get('message-id')).toBe(messageId);
    expect(mime.headers.get('content-type')).toMatch(/^multipart\/alternative/u);

    expect(mime.parts).toHaveLength(2);
    const [plain, html] = mime.parts;
    expect(plain?.headers.get('content-type')).toBe('text/plain; charset=utf-8');
    expect(plain?.body).toBe(message.text);
    expect(html?.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(html?.body).toBe(message.html);
  });

  it('hands nodemailer exactly one recipient and returns its Message-ID', async () => {
    const transport = nodemailer.createTransport({ jsonTransport: true });
    const mailer = new SmtpMailer({ transport, from: FROM });

    const { messageId } = await mailer.send(message);

    expect(messageId).toMatch(/^<.+@nianbao\.example\.cn>$/u);
  });

  it('turns a permanent SMTP rejection into a final MailDeliveryError without the server response', async () => {
    const error = Object.assign(new Error("Can't send mail - all recipients were rejected: 550 5.1.1 <officer@kw.example.cn>: unknown"), {
      code: 'EENVELOPE',
      responseCode: 550,
      permanent: true,
      response: '550 5.1.1 <officer@kw.example.cn>: unknown',
    });
    const mailer = new SmtpMailer({ transport: nodemailer.createTransport(failingTransport(error)), from: FROM });

    const failure = await rejection(mailer.send(message));

    expect(failure).toMatchObject({ provider: 'smtp', errorName: 'EENVELOPE', retryable: false, statusCode: 550 });
    expect(failure.message).not.toContain('officer@kw.example.cn');
    expect(failure.cause).toBeUndefined();
  });

  it('treats a 4xx reply and a dropped connection as retryable, a failed login as final', async () => {
    const cases: Array<[Error, string, boolean]> = [
      [Object.assign(new Error('451 try later'), { code: 'EMESSAGE', responseCode: 451 }), 'EMESSAGE', true],
      [Object.assign(new Error('Connection closed'), { code: 'ECONNECTION' }), 'ECONNECTION', true],
      [Object.assign(new Error('Timeout'), { code: 'ETIMEDOUT' }), 'ETIMEDOUT', true],
      [Object.assign(new Error('Invalid login: 535'), { code: 'EAUTH', responseCode: 535, permanent: true }), 'EAUTH', false],
    ];
    for (const [error, errorName, retryable] of cases) {
      const mailer = new SmtpMailer({ transport: nodemailer.createTransport(failingTransport(error)), from: FROM });
      expect(await rejection(mailer.send(message))).toMatchObject({ provider: 'smtp', errorName, retryable });
    }
  });

  it('refuses a recipient list before the transport sees it', async () => {
    const transport = nodemailer.createTransport({ streamTransport: true, buffer: true });
    const sendMail = vi.spyOn(transport, 'sendMail');
    const mailer = new SmtpMailer({ transport, from: FROM });

    expect(await rejection(mailer.send({ ...message, to: 'a@kw.example.cn;b@kw.example.cn' }))).toMatchObject({
      errorName: 'InvalidRecipient',
    });
    expect(sendMail).not.toHaveBeenCalled();
  });
});

describe('smtpTransportFromSettings', () => {
  it('builds an SMTP transport with short timeouts and STARTTLS required when it has credentials', async () => {
    const transport = await smtpTransportFromSettings({ host: 'smtp.example.cn', port: 587, secure: false, user: 'u', password: 'p' });

    expect(transport.options).toMatchObject({
      host: 'smtp.example.cn',
      port: 587,
      secure: false,
      requireTLS: true,
      auth: { user: 'u', pass: 'p' },
      connectionTimeout: 10_000,
    });
  });

  it('leaves authentication out when no credentials are given', async () => {
    const transport = await smtpTransportFromSettings({ host: 'localhost', port: 2525, secure: false });

    expect(transport.options).not.toHaveProperty('auth');
    expect(transport.options).not.toHaveProperty('requireTLS');
  });

  it('refuses a user without a password and a port out of range', async () => {
    await expect(smtpTransportFromSettings({ host: 'h', port: 587, secure: false, user: 'u' })).rejects.toThrow(/user and password/u);
    await expect(smtpTransportFromSettings({ host: 'h', port: 0, secure: true })).rejects.toThrow(/port/u);
  });
});
