import { TaskGoneError } from './errors.js';
import type { TypedEvent } from './event-data.js';
import type { Workflow } from './ports.js';
import { cursorAt, returnCursor, stepIndex, stepKind, type Chain, type Cursor } from './review-chain.js';

/** The error a 会签 review fails its Map iteration with when it returns the report: the Map stops the other co-signers. */
export const RETURNED_ERROR = 'Returned';

export type TaskAnswer =
  | { readonly kind: 'success'; readonly output: Cursor }
  | { readonly kind: 'failure'; readonly error: string; readonly cause: string };

const none = (): readonly string[] => [];

/**
 * What the state machine is told about a logged decision. An approval answers the cursor written with it; one
 * co-signer's approval, which moves nothing yet, answers the step after the 会签 (never another 会签, see the chain's
 * rules), so every iteration of the Map ends with the same value. A return answers `return`, and on a 会签 fails
 * the iteration so the Map closes the other co-signers' reviews at once.
 */
export function taskAnswerOf(chain: Chain, event: Extract<TypedEvent, { type: 'decided' }>): TaskAnswer {
  const { decision, next } = event.data;
  const index = stepIndex(chain, decision.stage);
  if (decision.outcome === 'return') {
    const output = returnCursor(Math.max(index, 0), decision.stage);
    if (stepKind(chain, decision.stage) === 'cosign') return { kind: 'failure', error: RETURNED_ERROR, cause: JSON.stringify(output) };
    return { kind: 'success', output };
  }
  return { kind: 'success', output: next ?? cursorAt(chain, index + 1, 'approve', none) };
}

/** Sends the answer on a task token; false when the workflow no longer waits on it (timed out, replaced, stopped). */
export async function sendTaskAnswer(workflow: Workflow, taskToken: string, answer: TaskAnswer): Promise<boolean> {
  try {
    if (answer.kind === 'success') await workflow.sendTaskSuccess(taskToken, answer.output);
    else await workflow.sendTaskFailure(taskToken, answer.error, answer.cause);
    return true;
  } catch (error) {
    if (!(error instanceof TaskGoneError)) throw error;
    return false;
  }
}
