import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { MailDeliveryError, OutboxFileError } from '../../../../shared/mail/errors.js';
import { OutboxFileSchema, OutboxMailer, extractLinks } from '../../../../shared/mail/outbox-mailer.js';
import type { Clock, MailMessage } from '../../../../shared/workflow/ports.js';

/** a clock that moves one second per reading */
function tickingClock(start = '2021-01-10T08:00:00.000Z'): Clock {
  let now = Date.parse(start);
  return {
    now: () => {
      const date = new Date(now);
      now += 1000;
      return date;
    },
  };
}

function mail(n: number, text = `第 ${n} 封\nhttps://nianbao.example.cn/reviews/r-${n}?sig=s${n}\n`): MailMessage {
  return { to: `user${n}@kw.example.cn`, subject: `主题 ${n}`, text, html: `<p>第 ${n} 封</p>` };
}

describe('OutboxMailer', () => {
  it('lists every message newest first with the time it was sent', async () => {
    const outbox = new OutboxMailer({ clock: tickingClock() });

    const first = await outbox.send(mail(1));
    const second = await outbox.send(mail(2));

    const listed = outbox.list();
    expect(listed.map((entry) => entry.id)).toEqual([second.messageId, first.messageId]);
    expect(listed[0]).toMatchObject({
      to: 'user2@kw.example.cn',
      subject: '主题 2',
      text: mail(2).text,
      html: '<p>第 2 封</p>',
      sentAt: '2021-01-10T08:00:01.000Z',
      links: ['https://nianbao.example.cn/reviews/r-2?sig=s2'],
    });
  });

  it('keeps the links of the text part in order, as written', async () => {
    const outbox = new OutboxMailer({ clock: tickingClock() });

    await outbox.send(
      mail(
        1,
        '审核页面：https://nianbao.example.cn/reviews/r-1?sig=a&x=1。\n公开页面（http://localhost:3000/site/reports/daxing-kw/2020/index.html）\n再看一次 https://nianbao.example.cn/reviews/r-1?sig=a&x=1.\nftp://not.example.cn mailto:someone@example.cn',
      ),
    );

    expect(outbox.list()[0]?.links).toEqual([
      'https://nianbao.example.cn/reviews/r-1?sig=a&x=1',
      'http://localhost:3000/site/reports/daxing-kw/2020/index.html',
      'https://nianbao.example.cn/reviews/r-1?sig=a&x=1',
    ]);
  });

  it('starts empty and keeps messages only in memory when no file is given', async () => {
    const outbox = new OutboxMailer({ clock: tickingClock() });
    expect(outbox.list()).toEqual([]);

    await Promise.all(Array.from({ length: 50 }, (_, i) => outbox.send(mail(i))));

    expect(outbox.list()).toHaveLength(50);
  });

  it('refuses a recipient list', async () => {
    const outbox = new OutboxMailer({ clock: tickingClock() });

    await expect(outbox.send({ ...mail(1), to: 'a@x.cn,b@x.cn' })).rejects.toBeInstanceOf(MailDeliveryError);
    expect(outbox.list()).toEqual([]);
  });
});

describe('OutboxMailer with a file', () => {
  let dir: string;

  beforeEach(async () => {
    dir = await mkdtemp(join(tmpdir(), 'nianbao-outbox-'));
  });
  afterEach(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('keeps the messages across a restart on the same file', async () => {
    const file = join(dir, 'outbox.json');
    const clock = tickingClock();
    const before = new OutboxMailer({ file, clock });
    await before.send(mail(1));
    await before.send(mail(2));

    const after = new OutboxMailer({ file, clock });
    expect(after.list()).toEqual(before.list());
    await after.send(mail(3));

    const third = new OutboxMailer({ file, clock });
    expect(third.list().map((entry) => entry.subject)).toEqual(['主题 3', '主题 2', '主题 1']);
    expect(third.list()[0]?.links).toEqual(['https://nianbao.example.cn/reviews/r-3?sig=s3']);
  });

  it('keeps all of 50 concurrent sends, in the file too, and leaves no temporary file behind', async () => {
    const file = join(dir, 'outbox.json');
    const outbox = new OutboxMailer({ file, clock: tickingClock() });

    const results = await Promise.all(Array.from({ length: 50 }, (_, i) => outbox.send(mail(i))));

    const ids = new Set(results.map((result) => result.messageId));
    expect(ids.size).toBe(50);
    const stored = OutboxFileSchema.parse(JSON.parse(await readFile(file, 'utf8')));
    expect(new Set(stored.map((entry) => entry.id))).toEqual(ids);
    expect(new OutboxMailer({ file, clock: tickingClock() }).list()).toHaveLength(50);
    expect(await readdir(dir)).toEqual(['outbox.json']);
  });

  it('creates the folder of the file on the first send', async () => {
    const file = join(dir, 'data', 'mail', 'outbox.json');
    const outbox = new OutboxMailer({ file, clock: tickingClock() });

    await outbox.send(mail(1));

    expect(new OutboxMailer({ file, clock: tickingClock() }).list()).toHaveLength(1);
  });

  it('refuses to start on a file that is not JSON, and leaves the file alone', async () => {
    const file = join(dir, 'outbox.json');
    await writeFile(file, '[{"id": "1", "to": "a@x.cn"', 'utf8');

    expect(() => new OutboxMailer({ file, clock: tickingClock() })).toThrow(OutboxFileError);
    expect(() => new OutboxMailer({ file, clock: tickingClock() })).toThrow(/outbox\.json cannot be loaded: it is not valid JSON/u);
    expect(await readFile(file, 'utf8')).toBe('[{"id": "1", "to": "a@x.cn"');
  });

  it('refuses to start on JSON that is not a list of outbox entries', async () => {
    const file = join(dir, 'outbox.json');
    await writeFile(
      file,
      JSON.stringify([{ id: 'm-1', to: 'a@x.cn', subject: 's', text: 't', html: 'h', sentAt: 'yesterday', links: [] }]),
    );

    expect(() => new OutboxMailer({ file, clock: tickingClock() })).toThrow(/not a list of outbox entries \(0\.sentAt/u);
  });

  it('refuses to start on an empty file rather than starting empty', async () => {
    const file = join(dir, 'outbox.json');
    await writeFile(file, '');

    expect(() => new OutboxMailer({ file, clock: tickingClock() })).toThrow(OutboxFileError);
  });

  it('rejects a send it could not write, keeps nothing of it, and writes again once the disk is fixed', async () => {
    const file = join(dir, 'blocked', 'outbox.json');
    const outbox = new OutboxMailer({ file, clock: tickingClock() });
    await writeFile(join(dir, 'blocked'), 'a file where the folder should be');

    await expect(outbox.send(mail(1))).rejects.toMatchObject({ name: 'MailDeliveryError', provider: 'outbox', retryable: true });
    expect(outbox.list()).toEqual([]);

    await rm(join(dir, 'blocked'));
    await outbox.send(mail(2));
    expect(new OutboxMailer({ file, clock: tickingClock() }).list().map((entry) => entry.subject)).toEqual(['主题 2']);
  });
});

describe('extractLinks', () => {
  it('finds absolute http(s) URLs and stops at spaces, Chinese text and closing punctuation', () => {
    expect(
      extractLinks('见https://a.example.cn/x（说明）和 (http://b.example.cn/p?q=1), 以及 https://c.example.cn/wiki/A_(B)! 完'),
    ).toEqual(['https://a.example.cn/x', 'http://b.example.cn/p?q=1', 'https://c.example.cn/wiki/A_(B)']);
  });

  it('ignores relative paths and other schemes', () => {
    expect(extractLinks('/reviews/r-1?sig=a javascript:alert(1) file:///etc/passwd http:// https://')).toEqual([]);
  });
});
