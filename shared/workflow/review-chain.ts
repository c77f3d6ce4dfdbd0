import * as z from 'zod';

/**
 * The review chain (审批链) as data: who decides a report after the officer submits it, in which order. An agency
 * stores its chain; a round copies the chain in force when it starts, so editing an agency's chain changes only the
 * rounds started after. Every page, email subject and audit line reads the step's label and kind from here.
 */

/** Roles that are not steps: they are held for other reasons and no chain may ask them to decide. */
export const RESERVED_ROLES = ['officer', 'auditor', 'admin'] as const;
export const STEP_ROLE_PATTERN = /^[a-z][a-z-]{1,30}$/;
/** Stage names the report's head uses besides step ids; a step may not take them. */
const RESERVED_STEP_IDS = new Set(['officer', 'publishing', 'published', 'none', 'publish', 'return']);
export const MAX_STEPS = 8;

export const StepKindSchema = z.enum(['review', 'cosign', 'sign']);
export type StepKind = z.infer<typeof StepKindSchema>;

export const StepSchema = z.object({
  id: z.string().regex(/^[a-z][a-z0-9-]{0,30}$/),
  label: z.string().trim().min(1).max(40),
  kind: StepKindSchema,
  role: z.string().regex(STEP_ROLE_PATTERN),
  /** this step's approver confirms the 保密审查 before approving */
  confidentiality: z.boolean().optional(),
});
export type Step = z.infer<typeof StepSchema>;

export const ChainSchema = z.object({ steps: z.array(StepSchema) });
export type Chain = z.infer<typeof ChainSchema>;

/** Today's chain, for an agency that has none and for rounds logged before chains were data. */
export const DEFAULT_CHAIN: Chain = {
  steps: [
    { id: 'director', label: '办公室主任审核', kind: 'review', role: 'director', confidentiality: true },
    { id: 'leader', label: '主管领导签发', kind: 'sign', role: 'leader' },
  ],
};

/** The words a step's kind is spoken in: 请审核 / 请会签 / 请签发, 已审核 / 已会签 / 已签发. */
export const KIND_VERBS: Readonly<Record<StepKind, string>> = { review: '审核', cosign: '会签', sign: '签发' };

export interface ChainProblem {
  readonly code: string;
  readonly message: string;
  /** the step the problem is about, when it is about one */
  readonly stepId?: string;
}

/** What is wrong with a chain's shape, in the order a person would fix it; empty when it may be saved. */
export function chainProblems(chain: Chain): ChainProblem[] {
  const problems: ChainProblem[] = [];
  const { steps } = chain;
  if (steps.length === 0) return [{ code: 'CHAIN_EMPTY', message: '审批链至少需要一个步骤。' }];
  if (steps.length > MAX_STEPS)
    problems.push({ code: 'CHAIN_TOO_LONG', message: `审批链最多 ${MAX_STEPS} 个步骤，现有 ${steps.length} 个。` });
  const seen = new Set<string>();
  for (const step of steps) {
    if (seen.has(step.id))
      problems.push({ code: 'CHAIN_DUPLICATE_STEP', message: `步骤代码“${step.id}”重复，每个步骤的代码须不同。`, stepId: step.id });
    seen.add(step.id);
    if (RESERVED_STEP_IDS.has(step.id))
      problems.push({ code: 'CHAIN_STEP_ID_RESERVED', message: `步骤代码“${step.id}”为系统保留，请换一个。`, stepId: step.id });
    if ((RESERVED_ROLES as readonly string[]).includes(step.role)) {
      problems.push({ code: 'CHAIN_ROLE_RESERVED', message: `步骤“${step.label}”的角色“${step.role}”不能用于审批。`, stepId: step.id });
    }
  }
  const signs = steps.filter((step) => step.kind === 'sign');
  if (signs.length === 0) problems.push({ code: 'CHAIN_NO_SIGN', message: '审批链须以一个签发步骤结束。' });
  if (signs.length > 1) problems.push({ code: 'CHAIN_SEVERAL_SIGN', message: `审批链只能有一个签发步骤，现有 ${signs.length} 个。` });
  if (signs.length === 1 && steps.at(-1)?.kind !== 'sign')
    problems.push({ code: 'CHAIN_SIGN_NOT_LAST', message: '签发步骤须是审批链的最后一步。' });
  if (!steps.some((step) => step.confidentiality === true)) {
    problems.push({ code: 'CHAIN_NO_CONFIDENTIALITY', message: '审批链中须有一个步骤负责保密审查。' });
  }
  // the state machine learns the next co-signers from the decision before them; two co-signs in a row would need
  // the second set before the first is complete
  steps.forEach((step, i) => {
    if (step.kind === 'cosign' && steps[i + 1]?.kind === 'cosign') {
      problems.push({
        code: 'CHAIN_COSIGN_ADJACENT',
        message: `会签步骤“${step.label}”与下一个会签步骤相邻，请合并为一个会签，或在其间加入审核步骤。`,
        stepId: step.id,
      });
    }
  });
  return problems;
}

/** Roles of the chain that nobody in the agency holds: a warning when the chain is saved, an error at submission. */
export function unheldRoles(chain: Chain, people: ReadonlyArray<{ readonly roles: readonly string[] }>): Step[] {
  return chain.steps.filter((step) => !people.some((person) => person.roles.includes(step.role)));
}

export const stepAt = (chain: Chain, index: number): Step | undefined => chain.steps[index];
export const stepIndex = (chain: Chain, stepId: string): number => chain.steps.findIndex((step) => step.id === stepId);
export const stepById = (chain: Chain, stepId: string): Step | undefined => chain.steps.find((step) => step.id === stepId);

/** A step's label for a stage id: the chain's, else the default chain's (old logs), else the id itself. */
export function stepLabel(chain: Chain | undefined, stepId: string): string {
  return (chain && stepById(chain, stepId)?.label) ?? stepById(DEFAULT_CHAIN, stepId)?.label ?? stepId;
}

/** The kind of step behind a stage id, looked up the same way as its label. */
export function stepKind(chain: Chain | undefined, stepId: string): StepKind | undefined {
  return (chain && stepById(chain, stepId)?.kind) ?? stepById(DEFAULT_CHAIN, stepId)?.kind;
}

/**
 * Where the state machine goes next, as the review tasks answer it: the step to walk (its index and kind, and for a
 * 会签 the people asked), `publish` after the last, or `return` to the officer. The same value is written into the
 * log with the decision that produced it, so the log and the workflow never disagree about the next step.
 */
export const CursorSchema = z.object({
  outcome: z.enum(['start', 'approve', 'return', 'resubmitted']),
  index: z.int().min(0),
  kind: z.enum(['review', 'cosign', 'sign', 'publish', 'return']),
  stepId: z.string(),
  cosigners: z.array(z.string()),
});
export type Cursor = z.infer<typeof CursorSchema>;

/**
 * The cursor at step `index` of `chain`; past the last step it is `publish`. For a 会签 the co-signers are the
 * people holding the step's role at this moment (`holders`), in a stable order.
 */
export function cursorAt(chain: Chain, index: number, outcome: Cursor['outcome'], holders: (step: Step) => readonly string[]): Cursor {
  const step = stepAt(chain, index);
  if (!step) return { outcome, index: chain.steps.length, kind: 'publish', stepId: 'publishing', cosigners: [] };
  return { outcome, index, kind: step.kind, stepId: step.id, cosigners: step.kind === 'cosign' ? [...holders(step)].sort() : [] };
}

export const returnCursor = (index: number, stepId: string): Cursor => ({
  outcome: 'return',
  index,
  kind: 'return',
  stepId,
  cosigners: [],
});
