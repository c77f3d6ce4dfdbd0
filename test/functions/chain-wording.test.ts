import { PutObjectCommand } from '@aws-sdk/client-s3';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createTestApp, startEmulator, stopEmulator, type TestApp } from '../support/app.js';
import { byId, parseHtml, plainText } from './html.js';
import { LEADER, cookieOf, emailedReviewLink, openReviewPage, requestReview, reviewAndDecide, submit } from './workflow-helpers.js';

beforeAll(startEmulator);
afterAll(stopEmulator);

let app: TestApp;
beforeEach(async () => {
  app = await createTestApp();
  app.s3.on(PutObjectCommand).resolves({ VersionId: 'v1' });
});

async function leaderLink() {
  await submit(app);
  await reviewAndDecide(app, { taskToken: 'director-1', version: 1, stage: 'director' }, { outcome: 'approve' });
  await requestReview(app, { taskToken: 'leader-1', version: 1, stage: 'leader' });
  return emailedReviewLink(app, LEADER);
}

describe('the signing step is worded as 签发, from the chain', () => {
  it('emails 请签发 with a 签发页面 link, and the page asks the leader to sign, not to review', async () => {
    const link = await leaderLink();
    const email = (await app.outbox.list()).filter((entry) => entry.to === LEADER).at(-1);
    expect(email?.subject).toMatch(/^请签发：/u);
    expect(email?.text).toContain('签发页面：');
    expect(email?.text).not.toContain('审核');

    // signed out, the link shows only which report and which step it is for, in the step's words
    const signedOut = parseHtml((await openReviewPage(app, link)).body);
    expect(plainText(signedOut)).toContain('主管领导签发：');

    const signedIn = parseHtml((await openReviewPage(app, link, { cookie: await cookieOf(app, LEADER) })).body);
    // signed in, the hint to sign in is gone
    expect(plainText(byId(signedIn, 'review-who') ?? signedIn)).toBe('签发人：张副主任。打开本页不会改变任何状态。');
    expect(plainText(byId(signedIn, 'decide-title') ?? signedIn)).toBe('签发意见');
    expect(plainText(byId(signedIn, 'decision-submit') ?? signedIn)).toBe('提交签发意见');
    expect(plainText(byId(signedIn, 'main') ?? signedIn)).not.toMatch(/审核人|审核意见|已审核/u);
  });

  it('says 已签发 once signed', async () => {
    const link = await leaderLink();
    const { decideJson } = await import('./workflow-helpers.js');
    expect((await decideJson(app, link, await cookieOf(app, LEADER), { outcome: 'approve', comment: '同意发布' })).statusCode).toBe(200);
    const page = parseHtml((await openReviewPage(app, link, { cookie: await cookieOf(app, LEADER) })).body);
    expect(plainText(byId(page, 'decision') ?? page)).toMatch(/^已签发：同意/u);
  });
});
