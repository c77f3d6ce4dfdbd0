import { KIND_VERBS, type Chain, type StepKind } from '#shared/workflow/review-chain.js';

/**
 * What a report walked through a chain must leave behind when every approver approves at once: who is seated on
 * each step, the emails each person gets, and the report's event log. Derived from the chain, so a benchmark that
 * runs another chain checks it without a second hand-written list. Pure: no stack, no store.
 */

/** One person who decides: a step's single approver, or one of a 会签's co-signers. */
export interface Seat {
  /** the address's local part: the step's role, numbered for co-signers (`legal-1`, `legal-2`) */
  readonly local: string;
  /** what the roster calls them: the step's label without its verb (办公室主任审核 → 办公室主任), numbered for co-signers */
  readonly title: string;
  readonly role: string;
  readonly stepId: string;
  readonly kind: StepKind;
  /** this person confirms the 保密审查 when approving */
  readonly confidentiality: boolean;
}

/** The people a chain seats, in step order: one per 审核 or 签发 step, `cosigners` per 会签. */
export function seatsOf(chain: Chain, cosigners: number): Seat[] {
  return chain.steps.flatMap((step) => {
    const title = step.label.endsWith(KIND_VERBS[step.kind]) ? step.label.slice(0, -KIND_VERBS[step.kind].length) : step.label;
    const seat = (local: string, seatTitle: string): Seat => ({
      local,
      title: seatTitle,
      role: step.role,
      stepId: step.id,
      kind: step.kind,
      confidentiality: step.confidentiality === true,
    });
    if (step.kind !== 'cosign') return [seat(step.role, title)];
    return Array.from({ length: cosigners }, (_, i) => seat(`${step.role}-${i + 1}`, `${title}${i + 1}`));
  });
}

/** The subject's start of the one email a seat gets: 请审核：, 请会签： or 请签发：. */
export const reviewSubjectPrefix = (kind: StepKind): string => `请${KIND_VERBS[kind]}：`;
/** The subject's start of the one email the officer gets. */
export const PUBLISHED_SUBJECT_PREFIX = '已公开：';

/** The subject prefixes each local part must receive, exactly one email each: the officer 已公开, each seat its step's. */
export function expectedEmails(chain: Chain, cosigners: number): Map<string, string> {
  return new Map([
    ['officer', PUBLISHED_SUBJECT_PREFIX],
    ...seatsOf(chain, cosigners).map((seat) => [seat.local, reviewSubjectPrefix(seat.kind)] as const),
  ]);
}

/** How a person's emails compare with what they should have got: undefined when exactly that one email. */
export function emailProblem(subjects: readonly string[], expectedPrefix: string): string | undefined {
  if (subjects.length === 1 && subjects[0]?.startsWith(expectedPrefix) === true) return undefined;
  return `expected one ${expectedPrefix}… email, got ${subjects.length === 0 ? 'none' : subjects.map((subject) => subject.split('：')[0]).join(', ')}`;
}

/** The part of an event a sequence check reads. */
export interface LoggedEvent {
  readonly type: string;
  readonly data: Readonly<Record<string, unknown>>;
}

const field = (value: unknown, key: string): unknown => (typeof value === 'object' && value !== null ? Reflect.get(value, key) : undefined);

/**
 * The event log of a report approved through `chain` at its first version: `submitted`; for each step in order its
 * review_requested and decided events (a 会签's `cosigners` requests and decisions in any order, each decision after
 * its own request, nothing of another step in between); `published` last. Returns what is wrong, or undefined.
 */
export function eventSequenceProblem(chain: Chain, cosigners: number, events: readonly LoggedEvent[]): string | undefined {
  const types = events.map((event) => event.type).join(', ');
  const wrong = (what: string) => `${what} (events ${types})`;
  if (events[0]?.type !== 'submitted') return wrong('the log does not start with submitted');
  let at = 1;
  for (const step of chain.steps) {
    const people = step.kind === 'cosign' ? cosigners : 1;
    const block = events.slice(at, at + 2 * people);
    at += 2 * people;
    const requested = new Set<unknown>();
    const decided = new Set<unknown>();
    for (const event of block) {
      const reviewId = field(event.data, 'reviewId');
      if (event.type === 'review_requested' && field(event.data, 'stage') === step.id && !requested.has(reviewId)) {
        requested.add(reviewId);
      } else if (
        event.type === 'decided' &&
        requested.has(reviewId) &&
        !decided.has(reviewId) &&
        field(field(event.data, 'decision'), 'stage') === step.id &&
        field(field(event.data, 'decision'), 'outcome') === 'approve'
      ) {
        decided.add(reviewId);
      } else {
        return wrong(`step ${step.id}: ${event.type} out of place`);
      }
    }
    if (decided.size !== people) return wrong(`step ${step.id}: ${decided.size} of ${people} approvals`);
  }
  if (events[at]?.type !== 'published' || events.length !== at + 1)
    return wrong('the log does not end with one published after the last step');
  return undefined;
}

/** The same sequence in words, for a benchmark's method text. */
export function describeEventSequence(chain: Chain, cosigners: number): string {
  const parts = chain.steps.map((step) =>
    step.kind === 'cosign'
      ? `${cosigners} × review_requested and ${cosigners} × decided for the ${step.label} (in any order, each decision after its own request)`
      : 'review_requested, decided',
  );
  return ['submitted', ...parts, 'published'].join(', ');
}
