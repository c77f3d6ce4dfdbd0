import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startLocalStack, type LocalStack, type LocalStackOptions } from '../../infra/local/stack.js';

/** The local stack on a free port with its own temporary DATA_DIR, removed afterwards. */
export async function startTestStack(
  options: Omit<LocalStackOptions, 'port' | 'dataDir'> = {},
): Promise<LocalStack & { dispose(): Promise<void> }> {
  const dataDir = await mkdtemp(join(tmpdir(), 'nianbao-e2e-'));
  const stack = await startLocalStack({ port: 0, dataDir, retryIntervalMs: 50, ...options });
  return {
    ...stack,
    async dispose() {
      await stack.stop();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}
