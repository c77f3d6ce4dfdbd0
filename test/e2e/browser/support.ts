import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { expect } from 'vitest';
import { startLocalStack, type LocalStack } from '#infra/local/stack.js';
import { referenceReport } from '../../support/report-builders.js';

/**
 * The browser tests' world: the whole local stack (as `npm start` runs it) in a temporary directory, Debian's
 * Chromium driven by playwright-core, and the people of the demo agency. There is no skipping: without Chromium the
 * suite fails, saying how to install it.
 */

export const CHROMIUM = process.env['CHROMIUM_PATH'] ?? '/usr/bin/chromium';
export const OFFICER = 'officer@kw.example.cn';
export const DIRECTOR = 'director@kw.example.cn';
export const LEADER = 'leader@kw.example.cn';
export const AUDITOR = 'auditor@audit.example.cn';

/** a browser walking the workflow takes longer than the suite's 30 s default, meant for handler tests */
export const BROWSER_TEST_MS = 180_000;

export const SCREENSHOTS = fileURLToPath(new URL('../../../test-output/screenshots/', import.meta.url));

export async function launchBrowser(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) {
    throw new Error(
      `Chromium not found at ${CHROMIUM}: install it with \`apt-get install -y chromium\` (or set CHROMIUM_PATH). The browser tests do not skip${process.env['CI'] === 'true' ? ' (CI=true)' : ''}.`,
    );
  }
  return chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-dev-shm-usage',
      '--disable-background-networking',
      '--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1, EXCLUDE localhost',
    ],
  });
}

export interface World {
  readonly stack: LocalStack;
  readonly browser: Browser;
  stop(): Promise<void>;
}

export async function startWorld(): Promise<World> {
  process.env['AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED'] ??= 'true';
  const dataDir = await mkdtemp(join(tmpdir(), 'nianbao-browser-'));
  const browser = await launchBrowser();
  let stack: LocalStack;
  try {
    stack = await startLocalStack({ port: 0, dataDir, reviewTimeoutSeconds: 86_400, revisionTimeoutSeconds: 86_400 });
  } catch (error) {
    await browser.close();
    throw error;
  }
  return {
    stack,
    browser,
    async stop() {
      await browser.close().catch(() => undefined);
      await stack.stop();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

/** A fresh browser profile for one person, its console errors and failed script loads collected (a page must have none). */
export async function personContext(
  world: World,
  options: { width?: number; height?: number } = {},
): Promise<{ context: BrowserContext; page: Page; problems: string[] }> {
  const context = await world.browser.newContext({
    viewport: { width: options.width ?? 1280, height: options.height ?? 900 },
    locale: 'zh-CN',
    timezoneId: 'Asia/Shanghai',
  });
  const page = await context.newPage();
  const problems: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error') problems.push(`console: ${message.text()}`);
  });
  page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
  page.on('dialog', (dialog) => void dialog.accept());
  return { context, page, problems };
}

export async function screenshot(page: Page, name: string, options: { fullPage?: boolean } = {}): Promise<string> {
  await mkdir(SCREENSHOTS, { recursive: true });
  const path = join(SCREENSHOTS, `${name}.png`);
  const fullPage = options.fullPage ?? true;
  // a sticky bar is drawn where the viewport is: at the end of the page, where it belongs in a whole-page picture
  if (fullPage) await page.evaluate(() => window.scrollTo(0, document.documentElement.scrollHeight));
  await page.screenshot({ path, fullPage });
  return path;
}

interface OutboxMail {
  readonly to: string;
  readonly subject: string;
  readonly text: string;
  readonly links: readonly string[];
  readonly sentAt: string;
}

/** The outbox as a person sees it at /_local/outbox.json, newest first. */
export async function outbox(world: World): Promise<OutboxMail[]> {
  const response = await fetch(`${world.stack.url}/_local/outbox.json`);
  return (await response.json()) as OutboxMail[];
}

/** Waits for a mail to `to` whose subject has `subject`, other than the ones already seen. */
export async function waitForMail(
  world: World,
  to: string,
  subject: string,
  seen: readonly string[] = [],
  // generous: on a loaded 2-core machine the first sign-in of a stack also waits for its handler module to load
  timeoutMs = 45_000,
): Promise<OutboxMail> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const mail = (await outbox(world)).find(
      (entry) => entry.to === to && entry.subject.includes(subject) && !seen.includes(`${entry.sentAt}|${entry.subject}`),
    );
    if (mail) return mail;
    if (Date.now() > deadline) throw new Error(`no mail “${subject}” to ${to} within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

export const mailKey = (mail: OutboxMail): string => `${mail.sentAt}|${mail.subject}`;

export async function mailsTo(world: World, to: string, subject: string): Promise<string[]> {
  return (await outbox(world)).filter((entry) => entry.to === to && entry.subject.includes(subject)).map(mailKey);
}

/**
 * Waits until the element with this id has the focus, as a person waits for the cursor before typing: under load,
 * keys typed before the page gave the field its focus are lost (and a shortened address gets no code).
 */
export async function focusOn(page: Page, id: string): Promise<void> {
  await expect.poll(() => page.evaluate(() => document.activeElement?.id)).toBe(id);
}

/** The six-digit code in the newest sign-in mail to `email` that arrived after `seen`. */
export async function signInCode(world: World, email: string, seen: readonly string[]): Promise<string> {
  const mail = await waitForMail(world, email, '验证码', seen);
  const code = /\b(\d{6})\b/.exec(mail.text)?.[1];
  if (code === undefined) throw new Error(`no code in the mail to ${email}`);
  return code;
}

/** Signs in through the login page with the keyboard: type the address, Enter, type the code read from the outbox, Enter. */
export async function signInThroughPage(world: World, page: Page, email: string, next = '/'): Promise<void> {
  const seen = await mailsTo(world, email, '验证码');
  await page.goto(`${world.stack.url}/login?next=${encodeURIComponent(next)}`);
  await page.getByLabel('工作邮箱').fill(email);
  await page.getByLabel('工作邮箱').press('Enter');
  const code = await signInCode(world, email, seen);
  await page.getByLabel('验证码（6 位数字）').fill(code);
  await page.getByLabel('验证码（6 位数字）').press('Enter');
  await page.waitForURL((url) => url.pathname === next.split('?')[0]);
}

// ---- the API, as another program would use it (for setting a scene quickly) --------------------------------------

export class ApiClient {
  constructor(
    private readonly world: World,
    private readonly cookie: string,
  ) {}

  static async signIn(world: World, email: string): Promise<ApiClient> {
    const seen = await mailsTo(world, email, '验证码');
    const asked = await fetch(`${world.stack.url}/api/auth/code`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email }),
    });
    if (asked.status !== 202) throw new Error(`code request: ${asked.status}`);
    const code = await signInCode(world, email, seen);
    const session = await fetch(`${world.stack.url}/api/auth/session`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email, code }),
    });
    if (session.status !== 204) throw new Error(`sign-in: ${session.status} ${await session.text()}`);
    const cookie = session.headers
      .getSetCookie()
      .find((line) => line.startsWith('nianbao_session='))
      ?.split(';')[0];
    if (cookie === undefined) throw new Error('no session cookie');
    return new ApiClient(world, cookie);
  }

  async call(method: string, path: string, body?: unknown): Promise<{ status: number; body: unknown }> {
    const response = await fetch(`${this.world.stack.url}${path}`, {
      method,
      headers: { cookie: this.cookie, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await response.text();
    return { status: response.status, body: text === '' ? undefined : (JSON.parse(text) as unknown) };
  }
}

/** The review link in the newest “请审核” (the leader: “请签发”) mail to `to` not among `seen`. */
export async function reviewLink(world: World, to: string, seen: readonly string[] = []): Promise<string> {
  const mail = await waitForMail(world, to, to === LEADER ? '请签发' : '请审核', seen);
  const link = mail.links.find((candidate) => candidate.includes('/reviews/'));
  if (link === undefined) throw new Error(`no review link in the mail to ${to}`);
  return link;
}

/** Decides a review through the JSON API, as the named approver. */
export async function decideByApi(
  approver: ApiClient,
  link: string,
  decision: { outcome: 'approve' | 'return'; comment?: string; confidentialityReviewed?: boolean },
): Promise<void> {
  const url = new URL(link);
  const answer = await approver.call('POST', `/api${url.pathname}/decision`, {
    sig: url.searchParams.get('sig'),
    comment: '',
    confidentialityReviewed: false,
    ...decision,
  });
  if (answer.status !== 200) throw new Error(`decision: ${answer.status} ${JSON.stringify(answer.body)}`);
}

/** Waits until the report's status is what is expected (the workflow runs on after each HTTP answer). */
export async function waitForStatus(
  client: ApiClient,
  reportId: string,
  status: string,
  stage?: string,
  // generous: on a loaded 2-core machine each step of the workflow may also wait for its handler module to load
  timeoutMs = 45_000,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const answer = await client.call('GET', `/api/reports/${reportId}`);
    const body = answer.body as { status?: string; stage?: string } | undefined;
    if (body?.status === status && (stage === undefined || body.stage === stage)) return;
    if (Date.now() > deadline) throw new Error(`report ${reportId} is ${body?.status}/${body?.stage}, not ${status}/${stage ?? '*'}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/**
 * The demo agency's 2019 report, published through the API as the three people would: consistent with the reference
 * 2020 report as its previous year (its 结转下年度 is 2020's 上年结转, its 上一年项目数量 plus 增减 is 2020's), so the
 * 2020 form is prefilled from it and the reference numbers raise no cross-year warning.
 */
export function report2019(): Record<string, unknown> {
  // a fixture reshaped field by field: loosely typed on purpose, as the result is checked by the API it is sent to
  // biome-ignore lint/suspicious/noExplicitAny: see above: the API checks the result
  const reference = referenceReport() as Record<string, any>;
  const report = structuredClone(reference);
  report['year'] = 2019;
  delete report['preamble'];
  report['overview'] =
    '2019年，区科委认真贯彻落实新修订的《中华人民共和国政府信息公开条例》，明确分管领导和工作人员，主动公开各类信息，依法办理政府信息公开申请。';
  report['problems'] = '一是公开目录更新不及时；二是工作人员业务培训次数偏少。下一步将建立月度核查制度，并组织专题培训。';
  report['otherMatters'] = '无。';
  const applications = report['applications'];
  const columns = Object.keys(applications.carriedOver);
  for (const column of columns) {
    applications.carriedForward[column] = reference['applications'].carriedOver[column];
    applications.carriedOver[column] = 0;
    applications.newlyReceived[column] = applications.outcomes.total[column] + applications.carriedForward[column];
  }
  const disclosure = report['activeDisclosure'];
  for (const row of Object.values(disclosure.regulations) as Array<Record<string, number>>) {
    row['totalPublished'] = Math.max(row['newlyPublished'] ?? 0, (row['totalPublished'] ?? 0) - (row['newlyPublished'] ?? 0));
  }
  const itemRows = [
    disclosure.licensing.administrativeLicensing,
    disclosure.licensing.otherManagementServices.inspection,
    disclosure.licensing.otherManagementServices.confirmation,
    disclosure.enforcement.administrativePenalty,
    disclosure.enforcement.administrativeCoercion,
    disclosure.fees.administrativeFees,
  ];
  for (const row of itemRows) row.change = 0;
  return report;
}

export async function publishByApi(world: World, report: Record<string, unknown>): Promise<void> {
  const officer = await ApiClient.signIn(world, OFFICER);
  const director = await ApiClient.signIn(world, DIRECTOR);
  const leader = await ApiClient.signIn(world, LEADER);
  const seenDirector = await mailsTo(world, DIRECTOR, '请审核');
  const seenLeader = await mailsTo(world, LEADER, '请签发');
  const submitted = await officer.call('POST', '/api/reports', { report });
  if (submitted.status !== 201) throw new Error(`submit: ${submitted.status} ${JSON.stringify(submitted.body)}`);
  const id = (submitted.body as { id: string }).id;
  await decideByApi(director, await reviewLink(world, DIRECTOR, seenDirector), { outcome: 'approve', confidentialityReviewed: true });
  await decideByApi(leader, await reviewLink(world, LEADER, seenLeader), { outcome: 'approve' });
  await waitForStatus(officer, id, 'published');
}
