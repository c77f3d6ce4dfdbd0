import type { Principal } from '../../auth/principal.js';
import { reportIdOf } from '../contracts.js';
import { daysToDeadline, defaultDeadline, isOverdue } from '../deadline.js';
import type { Agency, District, ReportHead } from '../model.js';
import type { Clock, Store } from '../ports.js';
import { agencyInScope, requireAdmin, requireDistrictInScope } from './scope.js';

/**
 * The deadline dashboard: where each agency's report of a year stands, read from the report heads and drafts, never
 * from report contents.
 */

export const PROGRESS_STATES = ['not_started', 'draft', 'in_review', 'returned', 'withdrawn', 'published'] as const;
export type ProgressState = (typeof PROGRESS_STATES)[number];

export interface AgencyProgress {
  readonly agencyId: string;
  readonly name: string;
  readonly district: string | undefined;
  readonly state: ProgressState;
  /** the step the report waits at, while in review */
  readonly stepLabel?: string;
  /** since when it is in this state (the step's request while in review) */
  readonly since?: string;
  readonly deadline: string;
  readonly daysToDeadline: number;
  readonly overdue: boolean;
  /** the head, when there is one: reminders find the people it waits for from it */
  readonly head: ReportHead | undefined;
}

export interface Progress {
  readonly deadline: string;
  readonly agencies: readonly AgencyProgress[];
}

export interface ProgressDeps {
  readonly store: Store;
  readonly clock: Clock;
}

export const deadlineOf = (district: District | undefined, year: number): string =>
  district?.deadlines?.[String(year)] ?? defaultDeadline(year);

function fromHead(head: ReportHead): Pick<AgencyProgress, 'state' | 'stepLabel' | 'since'> {
  switch (head.status) {
    case 'published':
      return { state: 'published', since: head.updatedAt };
    case 'returned':
      return { state: 'returned', since: head.updatedAt };
    case 'withdrawn':
      return { state: 'withdrawn', since: head.updatedAt };
    case 'publish_failed':
      return { state: 'in_review', stepLabel: '发布失败，等待重试', since: head.updatedAt };
    case 'in_review':
      return {
        state: 'in_review',
        stepLabel: head.stage === 'publishing' ? '正在发布' : (head.stageLabel ?? head.stage),
        since: head.pendingSince ?? head.updatedAt,
      };
  }
}

/** One agency's line. */
export async function agencyProgress(agency: Agency, year: number, deadline: string, deps: ProgressDeps): Promise<AgencyProgress> {
  const now = deps.clock.now();
  const head = await deps.store.getHead(reportIdOf(agency.id, year));
  const draft = head === undefined ? await deps.store.getDraft(agency.id, year) : undefined;
  const where =
    head !== undefined
      ? fromHead(head)
      : draft !== undefined
        ? { state: 'draft' as const, since: draft.updatedAt }
        : { state: 'not_started' as const };
  return {
    agencyId: agency.id,
    name: agency.name,
    district: agency.district,
    ...where,
    deadline,
    daysToDeadline: daysToDeadline(deadline, now),
    overdue: where.state !== 'published' && isOverdue(deadline, now),
    head,
  };
}

/** Reads in flight at once: a district of 300 agencies would otherwise open 300 connections to the table at once. */
const PROGRESS_CONCURRENCY = 24;

async function inBatches<T, R>(items: readonly T[], limit: number, work: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const index = next++;
      const item = items[index];
      if (item !== undefined) results[index] = await work(item);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}

/** The agencies of `districtId` (or of every district in scope) and their states for `year`. */
export async function progressFor(
  principal: Principal,
  year: number,
  districtId: string | undefined,
  deps: ProgressDeps,
): Promise<Progress> {
  requireAdmin(principal);
  if (districtId !== undefined) requireDistrictInScope(principal, districtId);
  const [agencies, districts] = await Promise.all([deps.store.listAgencies(), deps.store.listDistricts()]);
  const byId = new Map(districts.map((district) => [district.id, district]));
  const inScope = agencies
    .filter((agency) => agencyInScope(principal, agency) && (districtId === undefined || agency.district === districtId))
    .sort((a, b) => a.id.localeCompare(b.id));
  const rows = await inBatches(inScope, PROGRESS_CONCURRENCY, (agency) =>
    agencyProgress(agency, year, deadlineOf(byId.get(agency.district ?? ''), year), deps),
  );
  const shown = districtId ?? (new Set(inScope.map((agency) => agency.district)).size === 1 ? inScope[0]?.district : undefined);
  return { deadline: deadlineOf(shown === undefined ? undefined : byId.get(shown), year), agencies: rows };
}
