import * as z from 'zod';
import type { Emulator } from './dynalite.js';
import { startTsThread } from './ts-thread.js';

/**
 * dynalite and s3rver on threads of their own. The local stack runs every AWS service and every function in one
 * process; in a burst its main thread is the limit, and parsing and answering the emulators' HTTP requests was about a
 * tenth of its time (the burst benchmark's profile). On their own threads they use the machine's other core. Their
 * data stay where they were (on disk under DATA_DIR), and the handlers reach them over HTTP as before.
 */

export const EmulatorThreadSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('dynalite'), path: z.string() }),
  z.object({ kind: z.literal('s3rver'), directory: z.string(), bucket: z.string() }),
]);
export type EmulatorThread = z.infer<typeof EmulatorThreadSchema>;

const MODULE = new URL('./emulator-thread-main.ts', import.meta.url);
const ReadySchema = z.object({ endpoint: z.string() });
/** how long a stopping emulator may take to close its files before its thread is ended regardless */
const STOP_MS = 10_000;

export async function startEmulatorThread(spec: EmulatorThread): Promise<Emulator> {
  const thread = startTsThread(MODULE, spec);
  const exited = new Promise<number>((resolve) => thread.once('exit', resolve));
  const endpoint = await new Promise<string>((resolve, reject) => {
    thread.once('message', (message: unknown) => resolve(ReadySchema.parse(message).endpoint));
    thread.once('error', reject);
    void exited.then((code) => reject(new Error(`the ${spec.kind} thread exited before it was listening (code ${code})`)));
  });
  let stopped: Promise<void> | undefined;
  return {
    endpoint,
    stop() {
      stopped ??= (async () => {
        thread.postMessage('stop');
        const timer = setTimeout(() => void thread.terminate(), STOP_MS);
        await exited;
        clearTimeout(timer);
      })();
      return stopped;
    },
  };
}
