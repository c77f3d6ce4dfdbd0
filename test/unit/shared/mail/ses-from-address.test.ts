import { describe, expect, it } from 'vitest';
import { sesFromAddress } from '#shared/mail/ses-from-address.js';

/** RFC 2047 B-encoded words back to text, as a mail reader does. */
const decode = (header: string): string =>
  header.replace(/=\?UTF-8\?B\?([A-Za-z0-9+/=]+)\?=(\s+(?==\?))?/g, (_word, base64: string) =>
    Buffer.from(base64, 'base64').toString('utf8'),
  );

describe('the SES sender address', () => {
  it('encodes a Chinese display name as RFC 2047 words, leaving a 7-bit ASCII header', () => {
    const header = sesFromAddress('政府信息公开年报系统 <noreply@nianbao.example.gov.cn>');
    expect(header).toMatch(/^[\x20-\x7e]+$/);
    expect(header.endsWith(' <noreply@nianbao.example.gov.cn>')).toBe(true);
    expect(decode(header)).toBe('政府信息公开年报系统 <noreply@nianbao.example.gov.cn>');
  });

  it('keeps every encoded word within 75 characters, however long the name', () => {
    const name = '北京市大兴区科学技术委员会政府信息公开工作年度报告系统通知';
    const header = sesFromAddress(`"${name}" <noreply@kw.example.cn>`);
    for (const word of header.split(' ').filter((part) => part.startsWith('=?'))) expect(word.length).toBeLessThanOrEqual(75);
    expect(decode(header)).toBe(`${name} <noreply@kw.example.cn>`);
  });

  it('leaves ASCII senders and bare addresses as they are', () => {
    expect(sesFromAddress('Nianbao <noreply@example.gov.cn>')).toBe('Nianbao <noreply@example.gov.cn>');
    expect(sesFromAddress('noreply@example.gov.cn')).toBe('noreply@example.gov.cn');
    expect(sesFromAddress('"Nianbao, Beijing" <noreply@example.gov.cn>')).toBe('"Nianbao, Beijing" <noreply@example.gov.cn>');
  });
});
