import { AccountSuspendedException, MessageRejected, SESv2Client, SendEmailCommand, TooManyRequestsException } from '@aws-sdk/client-sesv2';
import { mockClient } from 'aws-sdk-client-mock';
import { beforeEach, describe, expect, it } from 'vitest';

import { MailDeliveryError } from '../../../../shared/mail/errors.js';
import { SesMailer } from '../../../../shared/mail/ses-mailer.js';
import { sesFromAddress } from '../../../../shared/mail/ses-from-address.js';
import type { MailMessage } from '../../../../shared/workflow/ports.js';

const ses = mockClient(SESv2Client);
const client = new SESv2Client({ region: 'ap-east-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' } });
const FROM = '政府信息公开年报系统 <noreply@nianbao.example.cn>';

const message: MailMessage = {
  to: 'director@kw.example.cn',
  subject: '请审核：北京市大兴区科学技术委员会2020年政府信息公开工作年度报告（第1版）',
  text: '王主任，您好：\n\n审核页面：\nhttps://nianbao.example.cn/reviews/r-1?sig=abc\n',
  html: '<!DOCTYPE html><html lang="zh-CN"><body><p>王主任，您好：</p></body></html>',
};

async function rejection(promise: Promise<unknown>): Promise<MailDeliveryError> {
  const error: unknown = await promise.then(
    () => undefined,
    (reason: unknown) => reason,
  );
  expect(error).toBeInstanceOf(MailDeliveryError);
  return error as MailDeliveryError;
}

describe('SesMailer', () => {
  beforeEach(() => {
    ses.reset();
  });

  it('sends one SendEmail command with the exact destination, sender and UTF-8 simple content, and returns the MessageId', async () => {
    ses.on(SendEmailCommand).resolves({ MessageId: '0102018d-ses-message-id' });
    const mailer = new SesMailer({ client, from: FROM });

    const result = await mailer.send(message);

    expect(result).toEqual({ messageId: '0102018d-ses-message-id' });
    const calls = ses.commandCalls(SendEmailCommand);
    expect(calls).toHaveLength(1);
    expect(calls[0]?.args[0].input).toEqual({
      FromEmailAddress: sesFromAddress(FROM),
      Destination: { ToAddresses: ['director@kw.example.cn'] },
      Content: {
        Simple: {
          Subject: { Data: message.subject, Charset: 'UTF-8' },
          Body: {
            Text: { Data: message.text, Charset: 'UTF-8' },
            Html: { Data: message.html, Charset: 'UTF-8' },
          },
        },
      },
    });
  });

  it('names the configuration set when one is given', async () => {
    ses.on(SendEmailCommand).resolves({ MessageId: 'm-1' });
    const mailer = new SesMailer({ client, from: FROM, configurationSet: 'nianbao-events' });

    await mailer.send(message);

    expect(ses.commandCalls(SendEmailCommand)[0]?.args[0].input.ConfigurationSetName).toBe('nianbao-events');
  });

  it('sends one command per call, each to its single recipient', async () => {
    ses.on(SendEmailCommand).resolves({ MessageId: 'm-1' });
    const mailer = new SesMailer({ client, from: FROM });

    await mailer.send(message);
    await mailer.send({ ...message, to: 'leader@kw.example.cn' });

    const destinations = ses.commandCalls(SendEmailCommand).map((call) => call.args[0].input.Destination);
    expect(destinations).toEqual([{ ToAddresses: ['director@kw.example.cn'] }, { ToAddresses: ['leader@kw.example.cn'] }]);
  });

  it('turns MessageRejected into a final MailDeliveryError that carries the name but not the provider message', async () => {
    ses.on(SendEmailCommand).rejects(
      new MessageRejected({
        message: 'Email address is not verified: director@kw.example.cn https://nianbao.example.cn/reviews/r-1?sig=abc',
        $metadata: { httpStatusCode: 400, requestId: 'req-400' },
      }),
    );
    const mailer = new SesMailer({ client, from: FROM });

    const error = await rejection(mailer.send(message));

    expect(error).toMatchObject({ provider: 'ses', errorName: 'MessageRejected', retryable: false, statusCode: 400 });
    expect(error.requestId).toBe('req-400');
    expect(error.message).toContain('MessageRejected');
    expect(error.message).not.toContain('director@kw.example.cn');
    expect(error.message).not.toContain('sig=');
    expect(error.cause).toBeUndefined();
    expect(JSON.stringify(error)).not.toContain('sig=');
  });

  it('turns TooManyRequestsException into a retryable MailDeliveryError', async () => {
    ses.on(SendEmailCommand).rejects(new TooManyRequestsException({ message: 'Too many requests', $metadata: { httpStatusCode: 429 } }));
    const mailer = new SesMailer({ client, from: FROM });

    const error = await rejection(mailer.send(message));

    expect(error).toMatchObject({ provider: 'ses', errorName: 'TooManyRequestsException', retryable: true });
  });

  it('treats a suspended account as final and a dropped connection as retryable', async () => {
    const mailer = new SesMailer({ client, from: FROM });

    ses.on(SendEmailCommand).rejects(new AccountSuspendedException({ message: 'suspended', $metadata: { httpStatusCode: 400 } }));
    expect(await rejection(mailer.send(message))).toMatchObject({ errorName: 'AccountSuspendedException', retryable: false });

    ses.reset();
    ses.on(SendEmailCommand).rejects(Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' }));
    expect(await rejection(mailer.send(message))).toMatchObject({ errorName: 'ECONNRESET', retryable: true });
  });

  it('refuses a recipient list or a display name without calling SES', async () => {
    const mailer = new SesMailer({ client, from: FROM });

    for (const to of ['a@kw.example.cn, b@kw.example.cn', '王主任 <director@kw.example.cn>', 'director@kw.example.cn\r\nBcc: x@y.cn']) {
      expect(await rejection(mailer.send({ ...message, to }))).toMatchObject({ errorName: 'InvalidRecipient', retryable: false });
    }
    expect(ses.commandCalls(SendEmailCommand)).toHaveLength(0);
  });
});

describe('SesMailer sender', () => {
  it('sends a Chinese display name as RFC 2047 encoded words, which SES requires', async () => {
    const client = new SESv2Client({ region: 'us-east-1' });
    const ses = mockClient(client);
    ses.on(SendEmailCommand).resolves({ MessageId: 'm-1' });
    await new SesMailer({ client, from: '年报系统 <noreply@example.gov.cn>' }).send({
      to: 'a@example.cn',
      subject: '主题',
      text: '正文',
      html: '<p>正文</p>',
    });
    const from = ses.commandCalls(SendEmailCommand)[0]?.args[0].input.FromEmailAddress ?? '';
    expect(from).toMatch(/^=\?UTF-8\?B\?[A-Za-z0-9+/=]+\?= <noreply@example\.gov\.cn>$/);
    expect(/^[\x20-\x7e]*$/.test(from)).toBe(true);
  });
});
