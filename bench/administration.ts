import { contentSha256 } from '#shared/workflow/digest.js';
import type { Benchmark, BenchmarkResult, Target } from './run.js';
import { benchAgencies, reportOf, seedAgencies, signIn, startBenchStack } from './support/stack.js';
import { mapLimit, marginUnder, ms, quantile } from './support/stats.js';

/**
 * The district administrator's two heavy answers on a district of 300 agencies: the 汇总 (every published report read
 * and added up cell by cell) and the deadline dashboard (every agency's head or draft).
 */

const AGENCIES = 300;
const SUMMARY_TARGET_MS = 2_000;
const PROGRESS_TARGET_MS = 300;
const SUMMARY_RUNS = 5;
const PROGRESS_RUNS = 20;
const DISTRICT = 'bench';

const target = (name: string, goal: string, measured: number, limit: number): Target => ({
  name,
  target: goal,
  measured: ms(measured),
  pass: measured <= limit,
  margin: marginUnder(measured, limit),
});

export const administration: Benchmark = {
  id: 'administration',
  title: `Administration: the 汇总 and the dashboard of a district of ${AGENCIES} agencies (local stack)`,
  method: [
    `A fresh local stack. Before the clock: ${AGENCIES} agencies in district \`${DISTRICT}\`, each with its three people; ${AGENCIES} published 2020 reports ` +
      "(the reference report as each agency's own) written as the Publish task leaves them (the version, the published record, the head); an " +
      'administrator of the district signed in over the API.',
    `The 汇总: GET /api/admin/summary?year=2020&district=${DISTRICT} (JSON) and the same with format=xlsx, ${SUMMARY_RUNS} times each, one after another, ` +
      `timed from the request to the last byte. Target: ≤ ${SUMMARY_TARGET_MS / 1000} s (median).`,
    `The dashboard: GET /api/admin/progress?year=2020&district=${DISTRICT}, ${PROGRESS_RUNS} times one after another, with a third of the agencies ` +
      `published, a third in review and a third not started. Target: ≤ ${PROGRESS_TARGET_MS} ms (median); p95 shown.`,
  ],
  async run(log): Promise<BenchmarkResult> {
    const stack = await startBenchStack();
    try {
      const agencies = benchAgencies('adm', AGENCIES);
      await seedAgencies(stack, agencies);
      const store = stack.deps.store;
      await store.putDistrict({ id: DISTRICT, name: '基准测试区' });
      const at = new Date().toISOString();
      await mapLimit(agencies, 16, async (agency, index) => {
        await store.putAgency({ id: agency.id, name: agency.name, district: DISTRICT });
        const reportId = `${agency.id}-2020`;
        const report = reportOf(agency);
        const sha = contentSha256(report);
        await store.putVersion({ reportId, version: 1, content: report, contentSha256: sha, createdAt: at, createdBy: agency.officer });
        await store.putPublished({
          reportId,
          agencyId: agency.id,
          agencyName: agency.name,
          year: 2020,
          version: 1,
          contentSha256: sha,
          publishedAt: at,
        });
        if (index % 3 === 2) return;
        const published = index % 3 === 0;
        await store.putHead({
          reportId,
          agencyId: agency.id,
          agencyName: agency.name,
          year: 2020,
          template: 'beijing-2019',
          status: published ? 'published' : 'in_review',
          stage: published ? 'published' : 'director',
          stageLabel: published ? undefined : '办公室主任审核',
          version: 1,
          lastSeq: 3,
          lastHash: 'a'.repeat(64),
          createdAt: at,
          updatedAt: at,
          pendingSince: published ? undefined : at,
        });
      });
      const adminEntry = { email: 'admin@bench.example.cn', name: '基准测试管理员', agencyId: agencies[0]?.id ?? 'adm-001' };
      await store.putRosterEntry({ ...adminEntry, roles: ['admin'], adminScope: [DISTRICT] });
      const admin = await signIn(stack, 'admin@bench.example.cn');
      log('seeded');

      const timed = async (path: string): Promise<number> => {
        const started = performance.now();
        const response = await fetch(new URL(path, stack.url), { headers: { cookie: admin.cookieHeader() } });
        await response.arrayBuffer();
        if (response.status !== 200) throw new Error(`${path} answered ${response.status}`);
        return performance.now() - started;
      };
      const summaryJson: number[] = [];
      const summaryXlsx: number[] = [];
      for (let i = 0; i < SUMMARY_RUNS; i++) {
        summaryJson.push(await timed(`/api/admin/summary?year=2020&district=${DISTRICT}`));
        summaryXlsx.push(await timed(`/api/admin/summary?year=2020&district=${DISTRICT}&format=xlsx`));
      }
      const progress: number[] = [];
      for (let i = 0; i < PROGRESS_RUNS; i++) progress.push(await timed(`/api/admin/progress?year=2020&district=${DISTRICT}`));
      const median = (values: number[]) => quantile(values, 0.5);
      const row = (name: string, values: number[]) => [
        name,
        String(values.length),
        ms(median(values)),
        ms(quantile(values, 0.95)),
        ms(Math.max(...values)),
      ];
      return {
        columns: ['Request', 'Runs', 'Median', 'p95', 'Max'],
        rows: [row('汇总, JSON', summaryJson), row('汇总, XLSX', summaryXlsx), row('Dashboard', progress)],
        targets: [
          target(`汇总 of ${AGENCIES} agencies (JSON)`, `≤ ${SUMMARY_TARGET_MS / 1000} s`, median(summaryJson), SUMMARY_TARGET_MS),
          target(`汇总 of ${AGENCIES} agencies (XLSX)`, `≤ ${SUMMARY_TARGET_MS / 1000} s`, median(summaryXlsx), SUMMARY_TARGET_MS),
          target(`Dashboard of ${AGENCIES} agencies`, `≤ ${PROGRESS_TARGET_MS} ms`, median(progress), PROGRESS_TARGET_MS),
        ],
      };
    } finally {
      await stack.dispose();
    }
  },
};
