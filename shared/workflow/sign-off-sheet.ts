import type { ReportEvent } from './model.js';
import { typedEvents } from './event-data.js';
import { DEFAULT_CHAIN, KIND_VERBS, stepById, type Chain, type StepKind } from './review-chain.js';

/**
 * The 签发单 (审批单): every step of every round on one sheet — who, at which step, what they decided, their opinion,
 * whether the 保密审查 was confirmed, when, and for whom a deputy acted. The leader reads it before signing and the
 * archive keeps it. A fold over the log alone, so every page shows the same sheet.
 */

export type SheetOutcome = 'approve' | 'return' | 'pending' | 'not_reached' | 'cancelled';

export interface SheetLine {
  readonly stepId: string;
  /** the step's label in the round's chain: 办公室主任审核, 主管领导签发, … */
  readonly stepLabel: string;
  readonly kind: StepKind;
  /** who decided, or who the step waits on; undefined when nobody has been asked yet */
  readonly person: string | undefined;
  /** the person a deputy decided for */
  readonly onBehalfOf: string | undefined;
  readonly outcome: SheetOutcome;
  readonly comment: string;
  /** true when confirmed, false when the step asks for it and it was not; undefined when the step does not ask */
  readonly confidentialityReviewed: boolean | undefined;
  /** when decided (or asked, while pending) */
  readonly at: string | undefined;
}

export interface SheetVersion {
  readonly version: number;
  readonly submittedBy: string | undefined;
  readonly submittedAt: string;
  readonly lines: readonly SheetLine[];
  /** how this version's review ended when not by a decision on the sheet */
  readonly ended: { readonly kind: 'withdrawn' | 'published'; readonly at: string } | undefined;
}

export interface SheetRound {
  readonly round: number;
  readonly versions: readonly SheetVersion[];
}

export interface SignOffSheet {
  readonly rounds: readonly SheetRound[];
}

interface OpenVersion {
  version: number;
  submittedBy: string | undefined;
  submittedAt: string;
  chain: Chain;
  decided: SheetLine[];
  /** requests not yet decided, by step and approver */
  asked: Map<string, { stage: string; person: string; at: string }>;
  ended: SheetVersion['ended'];
}

/**
 * The lines of a version: decisions in order, then the steps still open — waiting on someone, not reached yet, or
 * left undecided when the report was withdrawn.
 */
function linesOf(open: OpenVersion, current: boolean): SheetLine[] {
  const lines = [...open.decided];
  if (open.decided.some((line) => line.outcome === 'return')) return lines;
  const withdrawn = open.ended?.kind === 'withdrawn';
  if (!current && !withdrawn) return lines;
  for (const step of open.chain.steps) {
    const asked = [...open.asked.values()].filter((request) => request.stage === step.id);
    const decided = open.decided.some((line) => line.stepId === step.id);
    const blank = {
      stepId: step.id,
      stepLabel: step.label,
      kind: step.kind,
      onBehalfOf: undefined,
      comment: '',
      confidentialityReviewed: undefined,
    };
    for (const request of asked)
      lines.push({ ...blank, person: request.person, outcome: withdrawn ? 'cancelled' : 'pending', at: request.at });
    if (asked.length === 0 && !decided && !withdrawn) lines.push({ ...blank, person: undefined, outcome: 'not_reached', at: undefined });
  }
  return lines;
}

export function signOffSheet(events: readonly ReportEvent[]): SignOffSheet {
  const rounds: Array<{ round: number; versions: OpenVersion[] }> = [];
  let chain: Chain = DEFAULT_CHAIN;
  const latest = (): OpenVersion | undefined => rounds.at(-1)?.versions.at(-1);
  for (const event of typedEvents(events)) {
    switch (event.type) {
      case 'submitted':
      case 'resubmitted': {
        chain = event.data.chain ?? chain;
        const opened: OpenVersion = {
          version: event.version,
          submittedBy: event.actor.name ?? event.actor.email,
          submittedAt: event.at,
          chain,
          decided: [],
          asked: new Map(),
          ended: undefined,
        };
        if (event.type === 'submitted') rounds.push({ round: event.data.round, versions: [opened] });
        else rounds.at(-1)?.versions.push(opened);
        break;
      }
      case 'review_requested':
      case 'reminder_sent': {
        const open = latest();
        if (!open || open.version !== event.version) break;
        const key = `${event.data.stage} ${event.data.approverEmail}`;
        open.asked.set(key, { stage: event.data.stage, person: event.data.approverName, at: open.asked.get(key)?.at ?? event.at });
        // a handed-over review no longer waits on the person before
        if (event.data.replaces !== undefined) open.asked.delete(`${event.data.stage} ${event.data.replaces.approverEmail}`);
        break;
      }
      case 'decided': {
        const open = latest();
        const { decision } = event.data;
        if (!open || open.version !== decision.version) break;
        const step = stepById(open.chain, decision.stage);
        open.asked.delete(`${decision.stage} ${decision.onBehalfOf?.email ?? decision.approver}`);
        open.asked.delete(`${decision.stage} ${decision.approver}`);
        open.decided.push({
          stepId: decision.stage,
          stepLabel: decision.stepLabel ?? step?.label ?? decision.stage,
          kind: step?.kind ?? 'review',
          person: decision.approverName,
          onBehalfOf: decision.onBehalfOf?.name,
          outcome: decision.outcome,
          comment: decision.comment,
          confidentialityReviewed:
            step?.confidentiality === true ? decision.confidentialityReviewed : decision.confidentialityReviewed || undefined,
          at: decision.decidedAt,
        });
        break;
      }
      case 'withdrawn':
      case 'published': {
        const open = latest();
        if (open) open.ended = { kind: event.type, at: event.at };
        break;
      }
      default:
        break;
    }
  }
  const last = latest();
  return {
    rounds: rounds.map((round) => ({
      round: round.round,
      versions: round.versions.map((open) => ({
        version: open.version,
        submittedBy: open.submittedBy,
        submittedAt: open.submittedAt,
        lines: linesOf(open, open === last),
        ended: open.ended,
      })),
    })),
  };
}

/** The words a line's outcome is shown in, in the verb of its step: 同意, 退回修改, 待签发, 未到, 已撤回. */
export function outcomeWords(line: SheetLine): string {
  const verb = KIND_VERBS[line.kind];
  switch (line.outcome) {
    case 'approve':
      return line.kind === 'review' ? '同意' : `同意（已${verb}）`;
    case 'return':
      return '退回修改';
    case 'pending':
      return `待${verb}`;
    case 'not_reached':
      return '尚未送达';
    case 'cancelled':
      return '报告撤回，未处理';
  }
}
