import { LOCAL_FUNCTIONS } from '../../infra/local/definition.js';
import type { LocalStepFunctions } from '../../infra/local/sfn-engine.js';
import { cursorAt, DEFAULT_CHAIN } from '../../shared/workflow/review-chain.js';

/**
 * Task functions that answer their own token a moment (`delayMs`) after they are invoked: reviews approve (the cursor
 * to the default chain's next step), revisions resubmit.
 * A token already answered (a repeated invocation after a restart) is simply answered again and refused.
 */
export function selfAnsweringInvoke(engine: () => LocalStepFunctions | undefined, delayMs: () => number = () => 0) {
  return async (functionName: string, payload: unknown): Promise<unknown> => {
    const token = (payload as { taskToken?: unknown }).taskToken;
    if (typeof token === 'string') {
      const output =
        functionName === LOCAL_FUNCTIONS.requestRevision
          ? { outcome: 'resubmitted', version: 2, at: cursorAt(DEFAULT_CHAIN, 0, 'resubmitted', () => []) }
          : cursorAt(DEFAULT_CHAIN, Number((payload as { step?: unknown }).step ?? 0) + 1, 'approve', () => []);
      setTimeout(() => {
        engine()
          ?.sendTaskSuccess(token, JSON.stringify(output))
          .catch(() => undefined);
      }, delayMs());
    }
    return {};
  };
}
