import ExcelJS from 'exceljs';
import iconv from 'iconv-lite';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readPath, templateCells } from '#shared/report/cells.js';
import { reportSheets } from '#shared/report/sheet.js';
import { TEMPLATES } from '#shared/report/templates/index.js';
import { adjust, referenceReport, withValue } from '../support/report-builders.js';
import { nextEmail, Person, reviewLink, seenIds, waitFor } from './http-client.js';
import { startTestStack } from './stack.js';

/**
 * The district's administrator on `npm start`'s stack, over HTTP: the dashboard follows the reports, a reminder goes
 * out, a co-signer and a 会签 step are added and the agency's next report walks the new chain, ten people come in from
 * a GBK CSV, and the 汇总 downloaded as XLSX adds up the published report.json files.
 */

let stack: Awaited<ReturnType<typeof startTestStack>>;
beforeAll(async () => {
  stack = await startTestStack();
}, 60_000);
afterAll(async () => stack?.dispose());

const KW = { id: 'daxing-kw', name: '北京市大兴区科学技术委员会' };
const CZJ = { id: 'daxing-czj', name: '北京市大兴区财政局' };
const LEGAL = 'legal@kw.example.cn';
const people = new Map<string, Person>();
async function as(email: string): Promise<Person> {
  const known = people.get(email);
  if (known) return known;
  const person = new Person(stack.url, email);
  await person.signIn();
  people.set(email, person);
  return person;
}

async function states(year = 2020): Promise<Record<string, string>> {
  const body = (await (await as('admin@daxing.example.cn')).json('GET', `/api/admin/progress?year=${year}`)).body as {
    agencies: { agencyId: string; state: string; stepLabel?: string }[];
  };
  return Object.fromEntries(
    body.agencies.map((row) => [row.agencyId, row.stepLabel === undefined ? row.state : `${row.state}:${row.stepLabel}`]),
  );
}

type Link = Awaited<ReturnType<typeof reviewLink>>;

async function decide(email: string, seen: Set<string>, confidentiality = false, outcome: 'approve' | 'return' = 'approve', given?: Link) {
  const link = given ?? (await reviewLink(stack.url, email, seen));
  const answer = await (await as(email)).json('POST', `/api/reviews/${encodeURIComponent(link.reviewId)}/decision`, {
    sig: link.sig,
    outcome,
    comment: '',
    confidentialityReviewed: confidentiality,
  });
  expect(answer.status, JSON.stringify(answer.body)).toBe(200);
  return link;
}

async function publishThroughDefaultChain(
  agencyId: string,
  officer: string,
  director: string,
  leader: string,
  report: Record<string, unknown>,
) {
  const seen = await seenIds(stack.url);
  expect((await (await as(officer)).json('POST', '/api/reports', { report })).status).toBe(201);
  await decide(director, seen, true);
  await decide(leader, seen);
  const year = Number(report['year']);
  await waitFor(async () => (await states(year))[agencyId] === 'published', 20_000, `${agencyId} published`);
}

describe('administration for a district, on the local stack', () => {
  it('follows the reports on the dashboard, reminds, changes a chain, imports people and adds up the 汇总', async () => {
    const admin = await as('admin@daxing.example.cn');
    expect(await states()).toEqual({ 'daxing-czj': 'not_started', 'daxing-jw': 'not_started', 'daxing-kw': 'not_started' });

    // a report in review shows the step it waits at
    let seen = await seenIds(stack.url);
    const kwReport = withValue(referenceReport(), 'agency', KW);
    expect((await (await as('officer@kw.example.cn')).json('POST', '/api/reports', { report: kwReport })).status).toBe(201);
    const directorLink = await reviewLink(stack.url, 'director@kw.example.cn', seen);
    expect((await states())['daxing-kw']).toBe('in_review:办公室主任审核');

    // a reminder to one late agency
    seen = await seenIds(stack.url);
    const reminded = await admin.json('POST', '/api/admin/reminders', { year: 2020, agencyIds: ['daxing-czj'] });
    expect(reminded).toEqual({ status: 200, body: { sent: [{ agencyId: 'daxing-czj', to: 'officer@czj.example.cn' }] } });
    expect((await nextEmail(stack.url, seen, (entry) => entry.to === 'officer@czj.example.cn', 'the reminder')).subject).toMatch(
      /^催办提醒：北京市大兴区财政局2020年/,
    );

    // the round already under way keeps its chain: kw publishes through the default one
    seen = await seenIds(stack.url);
    await decide('director@kw.example.cn', seen, true, 'approve', directorLink);
    await decide('leader@kw.example.cn', seen);
    await waitFor(async () => (await states())['daxing-kw'] === 'published', 20_000, 'kw published');
    const czjReport = adjust(withValue(referenceReport(), 'agency', CZJ), {});
    await publishThroughDefaultChain('daxing-czj', 'officer@czj.example.cn', 'director@czj.example.cn', 'leader@czj.example.cn', czjReport);
    expect(await states()).toEqual({ 'daxing-czj': 'published', 'daxing-jw': 'not_started', 'daxing-kw': 'published' });

    // a co-signer through the people route, a 会签 step through the chain route
    expect((await admin.json('PUT', `/api/admin/people/${LEGAL}`, { name: '郑法制', agencyId: KW.id, roles: ['legal'] })).status).toBe(200);
    const chain = {
      steps: [
        { id: 'director', label: '办公室主任审核', kind: 'review', role: 'director', confidentiality: true },
        { id: 'legal', label: '法制会签', kind: 'cosign', role: 'legal' },
        { id: 'leader', label: '主管领导签发', kind: 'sign', role: 'leader' },
      ],
    };
    expect(await admin.json('PUT', `/api/admin/agencies/${KW.id}`, { name: KW.name, district: 'daxing', chain })).toMatchObject({
      status: 200,
      body: { warnings: [] },
    });

    // the agency's next report walks the new chain
    seen = await seenIds(stack.url);
    const next = withValue(withValue(kwReport, 'year', 2019), 'preamble', undefined);
    expect((await (await as('officer@kw.example.cn')).json('POST', '/api/reports', { report: next })).status).toBe(201);
    await decide('director@kw.example.cn', seen, true);
    const cosign = await reviewLink(stack.url, LEGAL, seen);
    expect(cosign.entry.subject).toMatch(/^请会签：/);
    expect((await states(2019))['daxing-kw']).toBe('in_review:法制会签');
    await decide(LEGAL, seen, false, 'approve', cosign);
    await decide('leader@kw.example.cn', seen);
    await waitFor(async () => (await states(2019))['daxing-kw'] === 'published', 20_000, 'kw 2019 published');

    // ten people from a GBK CSV as Excel saves it
    const csv = [
      '邮箱,姓名,单位,角色',
      ...Array.from({ length: 10 }, (_, i) => `staff${i}@jw.example.cn,职员${i},北京市大兴区教育委员会,${i < 2 ? '信息员' : 'legal'}`),
    ].join('\r\n');
    const imported = await admin.request('POST', '/api/admin/people/import', {
      file: { bytes: iconv.encode(csv, 'gbk'), type: 'text/csv' },
    });
    expect(imported.status).toBe(200);
    expect(await imported.json()).toEqual({ imported: 10, unchanged: 0, errors: [], handedOver: 0, warnings: [] });
    const jw = (await admin.json('GET', '/api/admin/people?agencyId=daxing-jw')).body as { people: { email: string; name: string }[] };
    expect(jw.people.filter((p) => p.email.startsWith('staff')).map((p) => p.name)).toEqual(
      Array.from({ length: 10 }, (_, i) => `职员${i}`),
    );

    // the 汇总 as XLSX equals the sum of the two published report.json files
    const published = await Promise.all(
      [KW, CZJ].map(
        async (agency) =>
          (await (await fetch(new URL(`/site/reports/${agency.id}/2020/report.json`, stack.url))).json()) as Record<string, unknown>,
      ),
    );
    const summary = (await admin.json('GET', '/api/admin/summary?year=2020&district=daxing')).body as {
      template: string;
      included: string[];
      missing: string[];
      report: Record<string, unknown>;
    };
    expect([summary.template, summary.included, summary.missing]).toEqual(['beijing-2019', ['daxing-czj', 'daxing-kw'], ['daxing-jw']]);
    const template = TEMPLATES['beijing-2019'];
    let cells = 0;
    for (const cell of templateCells(template)) {
      const values = published.map((report) => readPath(report, cell.path));
      if (cell.column.kind.type === 'money' || !values.every((v) => typeof v === 'number')) continue;
      expect(readPath(summary.report, cell.path), cell.id).toBe(values.reduce((a, b) => Number(a) + Number(b), 0));
      cells++;
    }
    expect(cells).toBeGreaterThan(50);
    const xlsx = await admin.request('GET', '/api/admin/summary?year=2020&district=daxing&format=xlsx');
    expect(xlsx.headers.get('content-type')).toBe('application/vnd.openxmlformats-officedocument.spreadsheetml.sheet');
    const workbook = new ExcelJS.Workbook();
    await workbook.xlsx.load(await xlsx.arrayBuffer());
    for (const sheet of reportSheets(template, summary.report)) {
      for (const cell of sheet.cells.filter((c) => c.role === 'value' && typeof c.value === 'number')) {
        expect(workbook.getWorksheet(sheet.name)?.getCell(cell.row + 1, cell.col + 1).value).toBe(cell.value);
      }
    }

    // and the auditor sees every change in a log that holds: every entry signed with the history key, the head anchored
    type Log = {
      events: { type: string; actor: { role: string } }[];
      verification: { valid: boolean; signed: number; anchoredSeq?: number };
    };
    const log = (await (await as('auditor@audit.example.cn')).json('GET', '/api/admin/log')).body as Log;
    expect(log.verification).toMatchObject({ valid: true, signed: log.events.length, anchoredSeq: log.events.length });
    // (automatic reminders, logged by the system, go out too when this runs in the fortnight before 31 January)
    expect(log.events.filter((e) => e.actor.role === 'admin').map((e) => e.type)).toEqual([
      'reminder_sent',
      'person_saved',
      'agency_saved',
      'people_imported',
    ]);
  }, 180_000);
});
