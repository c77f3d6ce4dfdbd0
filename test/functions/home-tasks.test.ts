import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createWebPagesHandler } from '#functions/web-pages.js';
import { createTestApp, httpEvent, startEmulator, stopEmulator, type TestApp } from '../support/app.js';
import { byId, parseHtml, plainText } from './html.js';
import { AUDITOR, DIRECTOR, LEADER, OFFICER, cookieOf } from './workflow-helpers.js';

beforeAll(startEmulator);
afterAll(stopEmulator);

let app: TestApp;
beforeEach(async () => {
  app = await createTestApp();
});

async function home(email: string) {
  const response = await createWebPagesHandler(app.deps)(
    httpEvent({ method: 'GET', path: '/', pathParameters: {}, cookie: await cookieOf(app, email) }),
  );
  expect(response.statusCode).toBe(200);
  return parseHtml(response.body);
}

describe('the home page’s 待办', () => {
  it('gives each approver a list of what waits for them, in the words of their step', async () => {
    const director = byId(await home(DIRECTOR), 'tasks');
    expect(plainText(byId(director ?? parseHtml(''), 'tasks-title') ?? parseHtml(''))).toBe('待我审核');
    expect(JSON.parse(director?.attrs['data-kinds'] ?? '{}')).toEqual({ director: 'review' });
    const leader = byId(await home(LEADER), 'tasks');
    expect(plainText(byId(leader ?? parseHtml(''), 'tasks-title') ?? parseHtml(''))).toBe('待我签发');
    // the list is filled from the API; the live region says what is happening meanwhile
    expect(byId(leader ?? parseHtml(''), 'tasks-status')?.attrs['role']).toBe('status');
  });

  it('is not shown to people who decide no step', async () => {
    expect(byId(await home(OFFICER), 'tasks')).toBeUndefined();
    expect(byId(await home(AUDITOR), 'tasks')).toBeUndefined();
  });
});
