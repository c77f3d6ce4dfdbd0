import { verifyChain } from '#shared/workflow/chain.js';
import type { ReportEvent } from '#shared/workflow/model.js';
import { foldReport } from '#shared/workflow/report-state.js';
import { isReminder, isReviewRequest, reviewLinkOf, type OutboxEntry } from './client.js';

/**
 * What must hold of a report's log and of the outbox whatever went wrong on the way: the properties the fault tests
 * assert after every kill, race and malformed request. Each returns the problems found (empty when it holds), so a
 * failing test says all that is wrong at once.
 */

export interface History {
  readonly events: ReportEvent[];
  readonly chain: { readonly valid: boolean; readonly head?: string | undefined };
  readonly executions: ReadonlyArray<{
    readonly name: string;
    readonly status: string;
    readonly history: ReadonlyArray<{ type: string; stateName?: string }>;
  }>;
}

const str = (value: unknown): string => (typeof value === 'string' || typeof value === 'number' ? String(value) : JSON.stringify(value));

function duplicates(keys: readonly string[]): string[] {
  const seen = new Set<string>();
  const twice = new Set<string>();
  for (const key of keys) (seen.has(key) ? twice : seen).add(key);
  return [...twice];
}

/**
 * Every event once: at most one event of each kind for what it is about (a review, a version, a round, a token),
 * the chain intact (re-derived here, not only as the API reports it), and a log that folds.
 */
export function logProblems(reportId: string, history: History): string[] {
  const { events } = history;
  const problems: string[] = [];
  if (!history.chain.valid) problems.push(`${reportId}: the API says the chain is broken`);
  const verified = verifyChain(reportId, events);
  if (!verified.valid) problems.push(`${reportId}: the chain does not verify: ${verified.problem?.message ?? ''}`);
  try {
    foldReport(events);
  } catch (error) {
    problems.push(`${reportId}: the log does not fold: ${error instanceof Error ? error.message : String(error)}`);
  }
  const keyed = (type: string, key: (event: ReportEvent) => string) =>
    events.filter((event) => event.type === type).map((event) => `${type} ${key(event)}`);
  const data = (event: ReportEvent, field: string) => str(event.data[field]);
  const decision = (event: ReportEvent) => (event.data['decision'] ?? {}) as Record<string, unknown>;
  const all = [
    ...keyed('submitted', (event) => `round ${data(event, 'round')}`),
    ...keyed('review_requested', (event) => `review ${data(event, 'reviewId')}`),
    // one review of a step per person and version (a 会签 step asks several people, each once)
    ...keyed('review_requested', (event) => `v${event.version} ${data(event, 'stage')} ${data(event, 'approverEmail')}`),
    ...keyed('reminder_sent', (event) => `review ${data(event, 'reviewId')} token ${data(event, 'tokenSeq')}`),
    ...keyed('decided', (event) => `review ${data(event, 'reviewId')}`),
    ...keyed('decided', (event) => `v${event.version} ${str(decision(event)['stage'])} ${str(decision(event)['approver'])}`),
    ...keyed('revision_requested', (event) => `v${event.version}`),
    ...keyed('resubmitted', (event) => `after v${data(event, 'returnedVersion')}`),
    ...keyed('resubmitted', (event) => `v${event.version}`),
    ...keyed('published', (event) => `v${event.version}`),
    ...keyed('withdrawn', (event) => `v${event.version}`),
  ];
  for (const twice of duplicates(all)) problems.push(`${reportId}: more than one ${twice}`);
  return problems;
}

/** Published exactly once, and the execution that published it SUCCEEDED. */
export function publishedOnceProblems(reportId: string, history: History): string[] {
  const published = history.events.filter((event) => event.type === 'published');
  const problems: string[] = [];
  if (published.length !== 1) problems.push(`${reportId}: published ${published.length} times`);
  const last = history.events.at(-1);
  if (last?.type !== 'published') problems.push(`${reportId}: the last event is ${last?.type ?? 'none'}, not published`);
  const succeeded = history.executions.filter((execution) => execution.status === 'SUCCEEDED');
  if (succeeded.length !== 1)
    problems.push(
      `${reportId}: ${succeeded.length} executions succeeded (${history.executions.map((execution) => `${execution.name} ${execution.status}`).join(', ')})`,
    );
  return problems;
}

export const emailKey = (entry: OutboxEntry): string => `${entry.to}|${entry.subject}|${entry.links.join(' ')}`;

/**
 * No email twice: by to + subject + links (the brief's key), and more strictly for review requests, whose links carry
 * a signature with its own expiry: one first request per review (reminders are the only repeats allowed).
 */
export function emailProblems(entries: readonly OutboxEntry[]): string[] {
  const problems = duplicates(entries.map(emailKey)).map((key) => `sent twice: ${key}`);
  const firstRequests = entries
    .filter((entry) => isReviewRequest(entry) && !isReminder(entry))
    .map((entry) => `${entry.to}|${entry.subject}|review ${reviewLinkOf(entry)?.reviewId ?? '?'}`);
  problems.push(...duplicates(firstRequests).map((key) => `review requested twice: ${key}`));
  return problems;
}

/**
 * Emails may be repeated only by a kill: the mailer cannot be asked whether a message went out, so a process killed
 * between handing a message to the mailer and recording that it had (a few milliseconds) sends it again when the task
 * is retried (at-least-once, as with SES). Each repeat is explained when a kill fell within `windowMs` after the first
 * copy and before the second; anything else is a problem.
 */
export function unexplainedRepeats(
  entries: readonly OutboxEntry[],
  killTimes: readonly number[],
  windowMs: number,
): { problems: string[]; explained: string[] } {
  const byKey = new Map<string, OutboxEntry[]>();
  for (const entry of entries) {
    const review = isReviewRequest(entry) && !isReminder(entry) ? `review ${reviewLinkOf(entry)?.reviewId ?? '?'}` : entry.links.join(' ');
    const key = `${entry.to}|${entry.subject}|${review}`;
    byKey.set(key, [...(byKey.get(key) ?? []), entry]);
  }
  const problems: string[] = [];
  const explained: string[] = [];
  for (const [key, copies] of byKey) {
    for (let i = 1; i < copies.length; i++) {
      const first = Date.parse(copies[i - 1]?.sentAt ?? '');
      const again = Date.parse(copies[i]?.sentAt ?? '');
      const kill = killTimes.find((at) => at >= first && at - first <= windowMs && at <= again);
      const near = killTimes.map((at) => at - first).filter((delta) => delta >= -1000 && delta <= 10_000);
      if (kill === undefined)
        problems.push(
          `sent twice with no kill within ${windowMs} ms after the first copy: ${key} (copies ${again - first} ms apart; kills at ${near.map((delta) => `${delta} ms`).join(', ') || 'none'} after the first)`,
        );
      else explained.push(`${key} (first copy ${kill - first} ms before a kill)`);
    }
  }
  return { problems, explained };
}
