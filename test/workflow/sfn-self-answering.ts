import { LOCAL_FUNCTIONS } from '../../infra/local/definition.js';
import type { LocalStepFunctions } from '../../infra/local/sfn-engine.js';

/**
 * Task functions that answer their own token a moment (`delayMs`) after they are invoked: reviews approve, revisions
 * resubmit.
 * A token already answered (a repeated invocation after a restart) is simply answered again and refused.
 */
export function selfAnsweringInvoke(engine: () => LocalStepFunctions | undefined, delayMs: () => number = () => 0) {
  return async (functionName: string, payload: unknown): Promise<unknown> => {
    const token = (payload as { taskToken?: unknown }).taskToken;
    if (typeof token === 'string') {
      const output =
        functionName === LOCAL_FUNCTIONS.requestRevision
          ? { outcome: 'resubmitted', version: 2 }
          : { outcome: 'approve', comment: '', approver: 'someone@kw.example.cn', version: 1, decidedAt: '2026-01-10T08:00:00.000Z' };
      setTimeout(() => {
        engine()
          ?.sendTaskSuccess(token, JSON.stringify(output))
          .catch(() => undefined);
      }, delayMs());
    }
    return {};
  };
}
