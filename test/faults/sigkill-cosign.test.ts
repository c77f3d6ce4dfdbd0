import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Store } from '#shared/workflow/ports.js';
import { FOUR_STEP_CHAIN } from '../support/chains.js';
import { isPublished, sleep } from './support/client.js';
import { ReportDriver, reportFor } from './support/driver.js';
import { emailProblems, logProblems, publishedOnceProblems } from './support/invariants.js';
import { openSession, seedAuditor, withDataDirStore, type SeededAgency, type SeededPerson } from './support/people.js';
import { freePort, StackProcess } from './support/process-stack.js';

/**
 * The four-step chain (科室负责人审核 → 办公室主任审核 → 法制会签 by two people → 主管领导签发) through `npm start`
 * killed with SIGKILL while the 会签 waits, then started again on the same DATA_DIR: the co-sign Map's waiting
 * reviews, the decision made before the kill and the links emailed before it all survive, and the report is
 * published exactly once with every email sent once.
 */

interface FourStepAgency extends SeededAgency {
  readonly section: SeededPerson;
  readonly legal: readonly [SeededPerson, SeededPerson];
}

async function seedFourStepAgency(store: Store, id: string, name: string): Promise<FourStepAgency> {
  const agency = { id, name, chain: FOUR_STEP_CHAIN };
  await store.putAgency(agency);
  const person = async (local: string, personName: string, roles: string[]): Promise<SeededPerson> => {
    const email = `${local}@${id}.example.cn`;
    await store.putRosterEntry({ email, name: personName, agencyId: id, roles });
    const role = roles[0] === 'officer' || roles[0] === 'director' || roles[0] === 'leader' ? roles[0] : 'director';
    return { email, name: personName, role, agencyId: id, ...(await openSession(store, email)) };
  };
  return {
    agency,
    officer: await person('officer', '孙信息员', ['officer']),
    section: await person('section', '周科长', ['section-head']),
    director: await person('director', '吴主任', ['director']),
    legal: [await person('legal-a', '郑法制', ['legal']), await person('legal-b', '王法制', ['legal'])],
    leader: await person('leader', '冯副主任', ['leader']),
  };
}

/** the kill waits out the moment between an email in the outbox and its task recording it (see sigkill-steps) */
const settled = () => sleep(3000);

let dataDir: string;
let stack: StackProcess;
let auditor: SeededPerson;
let agencies: FourStepAgency[];

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'nianbao-faults-cosign-'));
  ({ auditor, agencies } = await withDataDirStore(dataDir, async (store) => ({
    agencies: [
      await seedFourStepAgency(store, 'kill-cosign-1', '会签故障测试一局'),
      await seedFourStepAgency(store, 'kill-cosign-2', '会签故障测试二局'),
    ],
    auditor: await seedAuditor(store, 'kill-cosign-1'),
  })));
  stack = new StackProcess(await freePort(), dataDir);
  await stack.start();
}, 180_000);

afterAll(async () => {
  await stack?.kill();
  if (dataDir) await rm(dataDir, { recursive: true, force: true });
});

describe('SIGKILL while a 会签 waits, then a restart on the same DATA_DIR', () => {
  it.each([
    ['while both co-signers’ reviews wait', 0, 0],
    ['after one co-signer approved, while the other waits', 1, 1],
  ] as const)(
    '%s: both co-signers decide from the links emailed before the kill, and the report is published once',
    async (_point, index, approvedBefore) => {
      const seeded = agencies[index];
      if (!seeded) throw new Error('no agency');
      const report = new ReportDriver(() => stack.url, dataDir, seeded);
      await report.submit(reportFor(seeded.agency));
      await report.decide(seeded.section, await report.reviewLink(seeded.section, 1), 'approve');
      await report.decide(seeded.director, await report.reviewLink(seeded.director, 1), 'approve');
      const legalLinks = [await report.reviewLink(seeded.legal[0], 1), await report.reviewLink(seeded.legal[1], 1)] as const;
      if (approvedBefore > 0) await report.decide(seeded.legal[0], legalLinks[0], 'approve');
      await settled();
      await stack.kill();
      const emailsBefore = await report.emails();

      await stack.start();
      for (const [i, link] of legalLinks.entries()) {
        const who = seeded.legal[i];
        if (who && i >= approvedBefore) await report.decide(who, link, 'approve');
      }
      await report.decide(seeded.leader, await report.reviewLink(seeded.leader, 1), 'approve');
      await report.waitFor('the report to be published', (status) => status.status === 'published');

      const history = await report.finishedHistory(auditor);
      expect([...logProblems(report.reportId, history), ...publishedOnceProblems(report.reportId, history)]).toEqual([]);
      const decided = history.events
        .filter((event) => event.type === 'decided')
        .map((event) => (event.data['decision'] as { approver?: string }).approver);
      expect(decided).toEqual([
        seeded.section.email,
        seeded.director.email,
        seeded.legal[0].email,
        seeded.legal[1].email,
        seeded.leader.email,
      ]);
      const emails = await report.emails();
      expect(emailProblems(emails)).toEqual([]);
      expect(emails.slice(0, emailsBefore.length)).toEqual(emailsBefore);
      expect(emails.filter(isPublished).map((entry) => entry.to)).toEqual([seeded.officer.email]);
    },
    240_000,
  );
});
