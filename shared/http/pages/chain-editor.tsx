import { KIND_VERBS, RESERVED_ROLES, StepKindSchema, type Chain } from '../../workflow/review-chain.js';
import { editorProblems, stepProblemsId, stepRowOf, type StepRow } from './chain-editor-model.js';
import { ROLE_NAMES } from './layout.js';

/**
 * An agency's review chain as a list of steps an office worker edits: 名称, 类型 (审核/会签/签发), 岗位 (chosen from the
 * roles held in the agency, or typed), 保密审查; add, remove, move up and down. Rendered with the stored chain and its
 * problems at their steps; client/chain-editor.ts makes the buttons work and re-checks on every change.
 */

export const CHAIN_EDITOR_CSS = `
.chain-editor { border: 0; padding: 0; margin: .75rem 0; min-width: 0; }
.chain-editor > legend { font-weight: bold; padding: 0; }
.chain-steps { padding-left: 0; list-style: none; margin: .5rem 0; }
.chain-step > fieldset { border: 1px solid #d0d7de; border-radius: 6px; padding: .5rem .75rem; margin: .5rem 0; min-width: 0;
  display: flex; flex-wrap: wrap; gap: .5rem 1rem; align-items: flex-end; }
.chain-step > fieldset > legend { font-weight: bold; padding: 0 .25rem; }
.chain-step label { display: inline-flex; flex-direction: column; gap: .15rem; max-width: 100%; }
.chain-step label.check { flex-direction: row; align-items: center; gap: .35rem; }
.chain-step input[data-field="label"] { width: 14rem; max-width: 100%; }
.chain-step input[data-field="role"] { width: 10rem; max-width: 100%; }
.chain-step .step-actions { display: flex; flex-wrap: wrap; gap: .35rem; }
.chain-step .step-problems:empty, .chain-problems:empty { display: none; }
.chain-step .step-problems, .chain-problems { flex-basis: 100%; margin: 0; padding-left: 1.2rem; color: #b42318; }
@media (max-width: 640px) { .chain-step label:not(.check) { flex-basis: 100%; } .chain-step input[data-field] { width: 100%; } }
`;

const KINDS = StepKindSchema.options;
const BLANK: StepRow = { id: '', label: '', kind: 'review', role: '', confidentiality: false };

interface StepItemProps {
  readonly row: StepRow;
  readonly index: number;
  readonly problems: readonly string[];
  readonly rolesList: string;
  /** the id of this step's problem list, which its name and role fields are described by */
  readonly problemsId: string;
}

function StepItem({ row, index, problems, rolesList, problemsId }: StepItemProps) {
  const number = <span data-step-number>第 {index + 1} 步</span>;
  const invalid = problems.length > 0 ? 'true' : 'false';
  return (
    <li class="chain-step" data-step-id={row.id}>
      <fieldset>
        <legend>{number}</legend>
        <label>
          名称
          <input
            data-field="label"
            value={row.label}
            maxLength={40}
            required
            autoComplete="off"
            aria-describedby={problemsId}
            aria-invalid={invalid}
          />
        </label>
        <label>
          类型
          <select data-field="kind">
            {KINDS.map((kind) => (
              <option key={kind} value={kind} selected={kind === row.kind}>
                {KIND_VERBS[kind]}
              </option>
            ))}
          </select>
        </label>
        <label>
          岗位
          <input
            data-field="role"
            value={row.role}
            list={rolesList}
            required
            autoComplete="off"
            spellcheck={false}
            aria-describedby={problemsId}
            aria-invalid={invalid}
          />
        </label>
        <label class="check">
          <input type="checkbox" data-field="confidentiality" checked={row.confidentiality} />
          保密审查
        </label>
        <span class="step-actions">
          <button type="button" data-chain-move="up">
            上移<span class="visually-hidden">{number}</span>
          </button>
          <button type="button" data-chain-move="down">
            下移<span class="visually-hidden">{number}</span>
          </button>
          <button type="button" data-chain-remove>
            删除<span class="visually-hidden">{number}</span>
          </button>
        </span>
        <ul class="step-problems" data-step-problems id={problemsId}>
          {problems.map((message) => (
            <li key={message}>{message}</li>
          ))}
        </ul>
      </fieldset>
    </li>
  );
}

/** The roles a step may ask for: those held in the agency (reserved ones aside), the chain's own and the usual two. */
export function chainRoles(chain: Chain, held: ReadonlyArray<readonly string[]>): string[] {
  const roles = new Set(['director', 'leader', ...held.flat(), ...chain.steps.map((step) => step.role)]);
  return [...roles].filter((role) => !(RESERVED_ROLES as readonly string[]).includes(role)).sort();
}

export function ChainEditor({ agencyId, chain, roles }: { agencyId: string; chain: Chain; roles: readonly string[] }) {
  const rows = chain.steps.map(stepRowOf);
  const problems = editorProblems(rows);
  const rolesList = `roles-${agencyId}`;
  const editorId = `chain-${agencyId}`;
  return (
    <fieldset class="chain-editor" data-chain-editor id={editorId}>
      <legend>审批链</legend>
      <p class="hint">信息员提交后，报告按下列步骤依次审批。会签由担任该岗位的所有人分别签署；签发须是最后一步。</p>
      <datalist id={rolesList}>
        {roles.map((role) => (
          <option key={role} value={role}>
            {ROLE_NAMES[role] ?? role}
          </option>
        ))}
      </datalist>
      <ol class="chain-steps" data-chain-steps>
        {rows.map((row, i) => (
          <StepItem
            key={`${row.id}-${i}`}
            row={row}
            index={i}
            problems={problems.byStep[i] ?? []}
            rolesList={rolesList}
            problemsId={stepProblemsId(editorId, i)}
          />
        ))}
      </ol>
      <ul class="chain-problems" data-chain-general>
        {problems.general.map((message) => (
          <li key={message}>{message}</li>
        ))}
      </ul>
      <button type="button" data-chain-add>
        添加步骤
      </button>
      <p class="visually-hidden" aria-live="polite" data-chain-status />
      <template data-chain-template>
        <StepItem row={BLANK} index={0} problems={[]} rolesList={rolesList} problemsId={`${editorId}-problems-new`} />
      </template>
    </fieldset>
  );
}
