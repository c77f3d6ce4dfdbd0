import { MessagePort } from 'node:worker_threads';
import * as z from 'zod';
import type { Emulator } from './dynalite.js';
import { PortHttpHandler } from './port-http.js';
import { startTsThread } from './ts-thread.js';

/**
 * dynalite and s3rver on threads of their own. The local stack runs every AWS service and every function in one
 * process; in a burst its main thread is the limit, and parsing and answering the emulators' HTTP requests was about a
 * tenth of its time (the burst benchmark's profile). On their own threads they use the machine's other core. Their
 * data stay where they were (on disk under DATA_DIR). The handlers reach dynalite over a MessagePort (port-http.ts)
 * and s3rver over HTTP; both keep their TCP endpoints for the CLI and the tests.
 */

export const EmulatorThreadSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('dynalite'), path: z.string() }),
  z.object({ kind: z.literal('s3rver'), directory: z.string(), bucket: z.string() }),
]);
export type EmulatorThread = z.infer<typeof EmulatorThreadSchema>;

const MODULE = new URL('./emulator-thread-main.ts', import.meta.url);
const ReadySchema = z.object({ endpoint: z.string(), requests: z.instanceof(MessagePort).optional() });
/** how long a stopping emulator may take to close its files before its thread is ended regardless */
const STOP_MS = 10_000;

export interface ThreadEmulator extends Emulator {
  /** an SDK request handler that reaches the emulator without a socket, when it offers one (dynalite) */
  readonly requestHandler?: PortHttpHandler;
}

export async function startEmulatorThread(spec: EmulatorThread): Promise<ThreadEmulator> {
  const thread = startTsThread(MODULE, spec);
  const exited = new Promise<number>((resolve) => thread.once('exit', resolve));
  const { endpoint, requests } = await new Promise<z.infer<typeof ReadySchema>>((resolve, reject) => {
    thread.once('message', (message: unknown) => resolve(ReadySchema.parse(message)));
    thread.once('error', reject);
    void exited.then((code) => reject(new Error(`the ${spec.kind} thread exited before it was listening (code ${code})`)));
  });
  const requestHandler = requests === undefined ? undefined : new PortHttpHandler(requests);
  let stopped: Promise<void> | undefined;
  return {
    endpoint,
    ...(requestHandler === undefined ? {} : { requestHandler }),
    stop() {
      stopped ??= (async () => {
        requestHandler?.destroy();
        thread.postMessage('stop');
        const timer = setTimeout(() => void thread.terminate(), STOP_MS);
        await exited;
        clearTimeout(timer);
      })();
      return stopped;
    },
  };
}
