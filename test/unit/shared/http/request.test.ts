import { describe, expect, it } from 'vitest';
import { formBody, jsonBody, MAX_BODY_BYTES, toRequest } from '#shared/http/request.js';
import { PayloadTooLargeError, ValidationError } from '#shared/workflow/errors.js';
import * as z from 'zod';

const event = (body: string, isBase64Encoded: boolean, headers: Record<string, string> = {}) => ({
  rawPath: '/api/x',
  headers,
  body,
  isBase64Encoded,
  requestContext: { requestId: 'r1', http: { method: 'POST' } },
});

function refusal(run: () => unknown): ValidationError {
  try {
    run();
  } catch (error) {
    if (error instanceof ValidationError) return error;
    throw error;
  }
  throw new Error('not refused');
}

describe('toRequest: the body is UTF-8 or it is refused', () => {
  it('keeps Chinese text, base64 or not, byte for byte', () => {
    const text = '{"overview":"政府信息公开😀"}';
    expect(toRequest(event(Buffer.from(text).toString('base64'), true)).body).toBe(text);
    expect(toRequest(event(text, false)).body).toBe(text);
  });

  it.each([
    ['a byte that starts no character', Buffer.from([0x7b, 0xff, 0x7d])],
    ['a character cut short', Buffer.concat([Buffer.from('{"a":"'), Buffer.from('政').subarray(0, 2), Buffer.from('"}')])],
    ['an over-long encoding of “/”', Buffer.from([0xc0, 0xaf])],
    ['an encoded surrogate', Buffer.from([0xed, 0xa0, 0x80])],
  ])('refuses %s with 400 INVALID_UTF8, instead of replacing it', (_name, bytes) => {
    const error = refusal(() => toRequest(event(bytes.toString('base64'), true)));
    expect(error).toMatchObject({ status: 400, code: 'INVALID_UTF8' });
    expect(error.message).toContain('UTF-8');
  });

  it('refuses a decoded body holding half a character', () => {
    expect(refusal(() => toRequest(event('{"a":"\ud800"}', false)))).toMatchObject({ code: 'INVALID_UTF8' });
    expect(refusal(() => toRequest(event('{"a":"\udc00x"}', false)))).toMatchObject({ code: 'INVALID_UTF8' });
  });

  it('still refuses a body over the limit as too large, and takes one at the limit', () => {
    expect(toRequest(event('a'.repeat(MAX_BODY_BYTES), false)).body).toHaveLength(MAX_BODY_BYTES);
    expect(() => toRequest(event('a'.repeat(MAX_BODY_BYTES + 1), false))).toThrow(PayloadTooLargeError);
    expect(() => toRequest(event(Buffer.alloc(MAX_BODY_BYTES + 1, 0x61).toString('base64'), true))).toThrow(PayloadTooLargeError);
  });
});

describe('jsonBody: numbers are kept as written or refused', () => {
  const Schema = z.object({ content: z.unknown() });
  const request = (body: string) => toRequest(event(body, false));
  it.each([['-0'], ['1e-400'], ['1e400']])('refuses %s with 400 INEXACT_NUMBER', (number) => {
    const error = refusal(() => jsonBody(request(`{"content":{"cells":[1,${number}]}}`), Schema));
    expect(error).toMatchObject({ status: 400, code: 'INEXACT_NUMBER' });
    expect(error.message).toContain(number);
  });

  it('takes 0 and ordinary numbers', () => {
    expect(jsonBody(request('{"content":[0,-1,0.5,1e-300]}'), Schema)).toEqual({ content: [0, -1, 0.5, 1e-300] });
  });
});

describe('formBody: a percent-escape that is not UTF-8 is refused', () => {
  const form = (body: string) => toRequest(event(body, false, { 'content-type': 'application/x-www-form-urlencoded' }));
  it('refuses %FF and a cut-short escape, and reads a Chinese value', () => {
    expect(refusal(() => formBody(form('comment=%FF')))).toMatchObject({ code: 'INVALID_UTF8' });
    expect(refusal(() => formBody(form('comment=%E6%94')))).toMatchObject({ code: 'INVALID_UTF8' });
    expect(formBody(form('comment=%E6%94%BF+%E5%BA%9C')).get('comment')).toBe('政 府');
  });
});
