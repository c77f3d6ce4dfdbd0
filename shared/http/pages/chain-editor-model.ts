import {
  chainProblems,
  RESERVED_ROLES,
  STEP_ROLE_PATTERN,
  type Chain,
  type ChainProblem,
  type Step,
  type StepKind,
} from '../../workflow/review-chain.js';

/**
 * The review-chain editor's steps as a person fills them in (名称, 类型, 岗位, 保密审查, in order) turned into the chain
 * the agency route takes, with every problem placed at the step it concerns. Step ids are not asked for: a step keeps
 * the id it was saved with, and a new one is named after its role. The server renders the stored chain's problems with
 * it and the browser re-runs it on every change, so both show the same words in the same places.
 */

export interface StepRow {
  /** the saved step's id; empty for a step added in the editor */
  readonly id: string;
  readonly label: string;
  readonly kind: StepKind;
  readonly role: string;
  readonly confidentiality: boolean;
}

export interface EditorProblems {
  /** problems of one step, by the step's position (0-based) */
  readonly byStep: ReadonlyArray<readonly string[]>;
  /** problems of the chain as a whole */
  readonly general: readonly string[];
  readonly count: number;
}

/** The id of a step's problem list, which its fields are described by: the editor's id and the step's number. */
export const stepProblemsId = (editorId: string, index: number): string => `${editorId}-problems-${index + 1}`;

export const stepRowOf = (step: Step): StepRow => ({
  id: step.id,
  label: step.label,
  kind: step.kind,
  role: step.role,
  confidentiality: step.confidentiality === true,
});

const STEP_ID = /^[a-z][a-z0-9-]{0,30}$/;

/** Ids for the rows: a saved one is kept, a new one is its role (or `step`), made unique with -2, -3 … */
function idsOf(rows: readonly StepRow[]): string[] {
  const taken = new Set(rows.map((row) => row.id).filter((id) => id !== ''));
  return rows.map((row) => {
    if (row.id !== '') return row.id;
    const base = STEP_ROLE_PATTERN.test(row.role) && !(RESERVED_ROLES as readonly string[]).includes(row.role) ? row.role : 'step';
    let id = base;
    for (let n = 2; taken.has(id) || !STEP_ID.test(id); n++) id = `${base.slice(0, 26)}-${n}`;
    taken.add(id);
    return id;
  });
}

export function chainOfRows(rows: readonly StepRow[]): Chain {
  const ids = idsOf(rows);
  return {
    steps: rows.map((row, i) => ({
      id: ids[i] ?? `step-${i + 1}`,
      label: row.label.trim(),
      kind: row.kind,
      role: row.role.trim(),
      ...(row.confidentiality ? { confidentiality: true } : {}),
    })),
  };
}

/** What a person must fix before the chain can be saved: each field's problems, then the chain's (review-chain.ts). */
export function editorProblems(rows: readonly StepRow[]): EditorProblems {
  const chain = chainOfRows(rows);
  const byStep: string[][] = rows.map(() => []);
  rows.forEach((row, i) => {
    const at = byStep[i];
    if (!at) return;
    if (row.label.trim() === '') at.push('请填写这一步的名称，如“法制机构会签”。');
    else if (row.label.trim().length > 40) at.push('名称最多 40 个字。');
    if (row.role.trim() === '') at.push('请选择或填写岗位。');
    else if (!STEP_ROLE_PATTERN.test(row.role.trim()))
      at.push('岗位代码只能用小写英文字母和连字符（2 至 31 个字符），如 legal、vice-director。');
  });
  const general: string[] = [];
  for (const problem of chainProblems(chain)) place(problem, chain, byStep, general);
  return { byStep, general, count: general.length + byStep.reduce((sum, list) => sum + list.length, 0) };
}

function place(problem: ChainProblem, chain: Chain, byStep: string[][], general: string[]): void {
  // the sign step not last is about that step: say it where the step is
  const index =
    problem.code === 'CHAIN_SIGN_NOT_LAST'
      ? chain.steps.findIndex((step) => step.kind === 'sign')
      : problem.stepId === undefined
        ? -1
        : chain.steps.findIndex((step) => step.id === problem.stepId);
  const at = byStep[index];
  if (at) at.push(problem.message);
  else general.push(problem.message);
}
