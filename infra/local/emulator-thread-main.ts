import { MessageChannel, parentPort, workerData } from 'node:worker_threads';
import * as z from 'zod';
import { startDynalite, type Emulator } from './dynalite.js';
import { startS3rver } from './s3rver.js';
import { EmulatorThreadSchema } from './emulator-thread.js';
import { serveOverPort } from './port-http.js';

/** One emulator in a thread of its own (emulator-thread.ts): started, its endpoint told, stopped when asked. */

const port = parentPort;
if (port === null) throw new Error('emulator-thread-main.ts runs as a worker thread (emulator-thread.ts starts it)');
const spec = EmulatorThreadSchema.parse(z.object({ data: z.unknown() }).parse(workerData).data);
const emulator: Emulator =
  spec.kind === 'dynalite'
    ? await startDynalite({ path: spec.path })
    : await startS3rver({ directory: spec.directory, bucket: spec.bucket });
port.once('message', () => {
  void emulator.stop().finally(() => port.close());
});
if (emulator.listener === undefined) port.postMessage({ endpoint: emulator.endpoint });
else {
  // the main thread's SDK client posts its requests here rather than through a socket
  const channel = new MessageChannel();
  serveOverPort(channel.port1, emulator.listener);
  port.postMessage({ endpoint: emulator.endpoint, requests: channel.port2 }, [channel.port2]);
}
