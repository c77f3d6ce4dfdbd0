import type { z } from 'zod';
import { logger } from './logger.js';

/**
 * A Step Functions task Lambda: parse the payload (a malformed one fails the task loudly), run, log the outcome.
 * The payload is never logged: it carries the task token.
 */
export function taskHandler<I, O>(name: string, schema: z.ZodType<I>, run: (input: I) => Promise<O>) {
  return async (event: unknown): Promise<O> => {
    const input = schema.parse(event);
    const outcome = await run(input);
    logger.info('task', { task: name, outcome: typeof outcome === 'string' ? outcome : 'done' });
    return outcome;
  };
}
