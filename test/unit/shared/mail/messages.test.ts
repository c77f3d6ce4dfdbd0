import { parse } from 'parse5';
import { describe, expect, it } from 'vitest';

import { publishedMessage, revisionRequestMessage, reviewRequestMessage, signInCodeMessage } from '../../../../shared/mail/messages.js';
import { extractLinks } from '../../../../shared/mail/outbox-mailer.js';
import type { MailMessage } from '../../../../shared/workflow/ports.js';

// ---- reading the html part as a browser would ----------------------------------------------------------------

interface HtmlNode {
  nodeName: string;
  tagName?: string;
  value?: string;
  attrs?: Array<{ name: string; value: string }>;
  childNodes?: HtmlNode[];
}

function elements(html: string): HtmlNode[] {
  const found: HtmlNode[] = [];
  const walk = (node: HtmlNode): void => {
    if (node.tagName !== undefined) found.push(node);
    for (const child of node.childNodes ?? []) walk(child);
  };
  walk(parse(html) as unknown as HtmlNode);
  return found;
}

function textOf(node: HtmlNode): string {
  if (node.nodeName === '#text') return node.value ?? '';
  return (node.childNodes ?? []).map(textOf).join('');
}

function attr(node: HtmlNode, name: string): string | undefined {
  return node.attrs?.find((a) => a.name === name)?.value;
}

function hrefs(html: string): string[] {
  return elements(html)
    .filter((node) => node.tagName === 'a')
    .map((node) => attr(node, 'href') ?? '');
}

/** the text a reader sees in the html part */
function visibleText(html: string): string {
  const body = elements(html).find((node) => node.tagName === 'body');
  return body === undefined ? '' : textOf(body);
}

// ---- fixtures ---------------------------------------------------------------------------------------------------

const BASE = 'https://nianbao.example.cn';
const AGENCY = '北京市大兴区科学技术委员会';
const SCRIPT = '<script>alert(1)</script>';
const IMG = '"><img src=x onerror=alert(1)>';
const REVIEW_PATH = 'reviews/rv_01HZX3?sig=Zm9vYmFy-_x&exp=1737360000';

const DIRECTOR = { label: '办公室主任审核', kind: 'review', confidentiality: true } as const;
const LEADER = { label: '主管领导签发', kind: 'sign' } as const;

function review(overrides: Partial<Parameters<typeof reviewRequestMessage>[0]> = {}): MailMessage {
  return reviewRequestMessage({
    to: 'director@kw.example.cn',
    baseUrl: BASE,
    approverName: '王主任',
    agencyName: AGENCY,
    year: 2020,
    version: 2,
    step: DIRECTOR,
    reviewUrl: REVIEW_PATH,
    warningsCount: 3,
    reminder: false,
    ...overrides,
  });
}

function revision(overrides: Partial<Parameters<typeof revisionRequestMessage>[0]> = {}): MailMessage {
  return revisionRequestMessage({
    to: 'officer@kw.example.cn',
    baseUrl: BASE,
    officerName: '李信息员',
    agencyName: AGENCY,
    year: 2020,
    version: 2,
    returnedByName: '王主任',
    comment: '第三部分“本年新收政府信息公开申请数量”与合计不一致，\n请核对后重新提交。',
    reportUrl: 'reports/daxing-kw-2020',
    ...overrides,
  });
}

function published(overrides: Partial<Parameters<typeof publishedMessage>[0]> = {}): MailMessage {
  return publishedMessage({
    to: 'officer@kw.example.cn',
    baseUrl: 'https://site.example.cn/',
    agencyName: AGENCY,
    year: 2020,
    version: 3,
    publicUrl: 'reports/daxing-kw/2020/index.html',
    ...overrides,
  });
}

function signIn(): MailMessage {
  return signInCodeMessage({ to: 'officer@kw.example.cn', baseUrl: BASE, code: '482913', minutesValid: 10 });
}

/** the one link a message carries, the same in the text and in the html */
function expectOneLink(message: MailMessage, link: string): void {
  expect(extractLinks(message.text)).toEqual([link]);
  expect(message.text.split('\n')).toContain(link);
  expect(hrefs(message.html)).toEqual([link]);
  expect(visibleText(message.html)).toContain(link);
}

// ---- the messages -----------------------------------------------------------------------------------------------

describe('signInCodeMessage', () => {
  it('gives the code, how long it is valid and that it can be ignored, with no code in the subject', () => {
    const message = signIn();

    expect(message.to).toBe('officer@kw.example.cn');
    expect(message.subject).toBe('年报系统登录验证码');
    for (const part of [message.text, visibleText(message.html)]) {
      expect(part).toContain('482913');
      expect(part).toContain('10 分钟内有效');
      expect(part).toContain('如果您没有申请登录，请忽略本邮件');
    }
    expectOneLink(message, 'https://nianbao.example.cn/login');
  });
});

describe('reviewRequestMessage', () => {
  it('asks the director for the 办公室主任审核 including the 保密审查, with the report named in the subject', () => {
    const message = review();

    expect(message.subject).toBe(`请审核：${AGENCY}2020年政府信息公开工作年度报告（第2版）`);
    for (const part of [message.text, visibleText(message.html)]) {
      expect(part).toContain('王主任，您好：');
      expect(part).toContain('办公室主任审核（含保密审查）');
      expect(part).toContain('3 条提示');
    }
  });

  it('asks the leader for the 主管领导签发, with 请签发 in the subject', () => {
    const message = review({ step: LEADER, approverName: '赵局长' });

    expect(message.subject.startsWith('请签发：')).toBe(true);
    expect(message.text).toContain('主管领导签发');
    expect(visibleText(message.html)).toContain('主管领导签发');
    expect(message.text).not.toContain('保密审查');
  });

  it('uses the review link exactly as given, adding no query parameter', () => {
    const message = review();
    const expected = `${BASE}/${REVIEW_PATH}`;

    expectOneLink(message, expected);
    expect(new URL(hrefs(message.html)[0] ?? '').search).toBe('?sig=Zm9vYmFy-_x&exp=1737360000');
  });

  it('accepts a ready-made absolute review link under the base URL unchanged', () => {
    const absolute = `${BASE}/${REVIEW_PATH}`;

    expectOneLink(review({ reviewUrl: absolute }), absolute);
  });

  it('says that opening the link changes nothing and that deciding needs signing in', () => {
    const message = review();

    for (const part of [message.text, visibleText(message.html)]) {
      expect(part).toContain('打开链接只用于查看报告，不会改变报告的状态');
      expect(part).toContain('需要先登录系统');
    }
  });

  it('marks a reminder in the subject and says the same link still works', () => {
    const message = review({ reminder: true });

    expect(message.subject).toBe(`【提醒】请审核：${AGENCY}2020年政府信息公开工作年度报告（第2版）`);
    expect(message.text).toContain('审核链接继续有效');
    expectOneLink(message, `${BASE}/${REVIEW_PATH}`);
  });

  it('shows the due time in Beijing time when there is one', () => {
    const message = review({ dueAt: '2021-01-20T09:00:00.000Z' });

    expect(message.text).toContain('请于2021年1月20日 17:00（北京时间）前处理。');
    expect(visibleText(message.html)).toContain('请于2021年1月20日 17:00（北京时间）前处理。');
    expect(review().text).not.toContain('前处理');
  });

  it('puts nothing of the link in the subject', () => {
    const message = review({ reminder: true });

    expect(message.subject).not.toMatch(/sig|http|rv_/u);
  });
});

describe('revisionRequestMessage', () => {
  it('tells the officer who returned which version, with the comment verbatim and the report link', () => {
    const message = revision();
    const comment = '第三部分“本年新收政府信息公开申请数量”与合计不一致，\n请核对后重新提交。';

    expect(message.subject).toBe(`退回修改：${AGENCY}2020年政府信息公开工作年度报告（第2版）`);
    expect(message.text).toContain('李信息员，您好：');
    expect(message.text).toContain(`您提交的${AGENCY}2020年政府信息公开工作年度报告（第2版）已被王主任退回修改`);
    expect(message.text).toContain(`\n\n${comment}\n\n`);
    const quote = elements(message.html).filter((node) => node.tagName === 'blockquote');
    expect(quote).toHaveLength(1);
    expect(textOf(quote[0]!)).toBe(comment);
    expect(attr(quote[0]!, 'style')).toContain('white-space: pre-wrap');
    expectOneLink(message, `${BASE}/reports/daxing-kw-2020`);
  });

  it('makes no link of anything typed in the comment, in the text or the html part', () => {
    const comment = [
      '请看 https://evil.example/login?x=1 和 http://10.0.0.1/a',
      '或者 www.evil.example，或 evil.example/path，或 部门网站.中国',
      '联系 someone@evil.example；mailto:someone@evil.example；ftp://files.evil.example',
      '金额 1.5 万元，比例 3.14，第2.1节',
    ].join('\n');
    const message = revision({ comment });
    const quote = elements(message.html).filter((node) => node.tagName === 'blockquote')[0];
    const shown = quote === undefined ? '' : textOf(quote);
    // what a mail client's auto-linker looks for: a scheme, www., a host name with a dot before letters, an address
    const linkish = [
      /[a-z][a-z0-9+.-]*:\/\//iu,
      /\bwww\./iu,
      /[\p{L}\p{N}-]\.\p{L}{2,}/u,
      /[\w.+-]@[\p{L}\p{N}-]+\.[\p{L}]/u,
      /\d+\.\d+\.\d+\.\d+/u,
    ];
    for (const part of [message.text, shown]) {
      const typed = part.slice(part.indexOf('请看'), part.indexOf('第2.1节') + 5);
      expect(typed).toContain('请看 https[:]//evil[.]example/login?x=1');
      for (const pattern of linkish) expect(typed).not.toMatch(pattern);
      // numbers keep their decimal points
      expect(typed).toContain('金额 1.5 万元，比例 3.14，第2.1节');
    }
    expect(extractLinks(message.text).filter((link) => link.includes('evil'))).toEqual([]);
    expect(hrefs(message.html).filter((link) => link.includes('evil'))).toEqual([]);
  });

  it('says so when the approver left no comment', () => {
    const message = revision({ comment: '  ' });

    expect(message.text).toContain('（未填写退回意见）');
  });
});

describe('publishedMessage', () => {
  it('says which version was signed and published, with the public link', () => {
    const message = published();

    expect(message.subject).toBe(`已公开：${AGENCY}2020年政府信息公开工作年度报告`);
    for (const part of [message.text, visibleText(message.html)]) {
      expect(part).toContain(`${AGENCY}2020年政府信息公开工作年度报告（第3版）已经主管领导签发，并已在网站公开。`);
    }
    expectOneLink(message, 'https://site.example.cn/reports/daxing-kw/2020/index.html');
  });
});

describe('the messages, against hostile input', () => {
  const hostile = `${SCRIPT}${IMG}`;
  const messages: Array<[string, MailMessage, string[]]> = [
    ['review request', review({ approverName: hostile, agencyName: hostile }), [hostile]],
    [
      'revision request',
      revision({ officerName: hostile, returnedByName: hostile, agencyName: hostile, comment: `意见：\n${hostile}` }),
      [hostile, `意见：\n${hostile}`],
    ],
    ['published', published({ agencyName: hostile }), [hostile]],
  ];

  it.each(messages)('escapes names, agency names and comments in the html of the %s', (_name, message, inputs) => {
    const tags = elements(message.html).map((node) => node.tagName);
    expect(tags).not.toContain('script');
    expect(tags).not.toContain('img');
    expect(elements(message.html).filter((node) => node.attrs?.some((a) => a.name === 'onerror'))).toEqual([]);
    const seen = visibleText(message.html);
    for (const input of inputs) expect(seen).toContain(input);
  });

  it.each(messages)('keeps names, agency names and comments verbatim in the text of the %s', (_name, message, inputs) => {
    for (const input of inputs) expect(message.text).toContain(input);
  });

  it('keeps a line break in an agency name out of the subject header', () => {
    const message = review({ agencyName: '某局\r\nBcc: attacker@example.com' });

    expect(message.subject).not.toMatch(/[\r\n]/u);
    expect(message.subject).toBe('请审核：某局 Bcc: attacker@example.com2020年政府信息公开工作年度报告（第2版）');
  });
});

describe('the links in the messages', () => {
  it('are absolute and start with the base URL, also under a path prefix', () => {
    const prefixed = 'https://gov.example.cn/nianbao/';
    const all = [
      signInCodeMessage({ to: 'a@x.cn', baseUrl: 'https://gov.example.cn/nianbao', code: '1', minutesValid: 5 }),
      review({ baseUrl: prefixed }),
      revision({ baseUrl: prefixed }),
      published({ baseUrl: prefixed, publicUrl: 'site/reports/daxing-kw/2020/index.html' }),
    ];

    for (const message of all) {
      const links = [...extractLinks(message.text), ...hrefs(message.html)];
      expect(links.length).toBeGreaterThan(0);
      for (const link of links) {
        expect(new URL(link).href).toBe(link);
        expect(link.startsWith(prefixed)).toBe(true);
      }
    }
    expect(hrefs(all[1]!.html)).toEqual([`${prefixed}${REVIEW_PATH}`]);
  });

  it('refuse a link that leaves the base URL, without repeating it in the error', () => {
    const elsewhere = 'https://evil.example.com/reviews/rv_1?sig=secret';

    expect(() => review({ reviewUrl: elsewhere })).toThrow('reviewUrl must resolve to a URL under baseUrl.');
    expect(() => review({ reviewUrl: '//evil.example.com/x' })).toThrow(/under baseUrl/u);
    expect(() => review({ baseUrl: 'https://gov.example.cn/nianbao/', reviewUrl: '/reviews/rv_1?sig=a' })).toThrow(/under baseUrl/u);
    expect(() => revision({ reportUrl: 'javascript:alert(1)' })).toThrow(/under baseUrl/u);
    expect(() => review({ baseUrl: 'ftp://nianbao.example.cn/' })).toThrow(/http\(s\)/u);
  });

  it('are built the same way every time (the functions are pure)', () => {
    expect(review({ reminder: true, dueAt: '2021-01-20T09:00:00Z' })).toEqual(review({ reminder: true, dueAt: '2021-01-20T09:00:00Z' }));
    expect(signIn()).toEqual(signIn());
  });
});
