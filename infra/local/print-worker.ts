import type { Worker } from 'node:worker_threads';
import type { PrintFiles, PrintFilesRenderer } from '../../shared/report/print/print-files.js';
import { PrintReplySchema, type PrintRequest } from './print-thread-messages.js';
import { startTsThread } from './ts-thread.js';

/**
 * Publish's PDF and Word rendering on a thread of its own. In AWS each Lambda has its own CPU; the local stack runs
 * every function in one process, where rendering the two files was a third of a burst's main-thread time (the
 * burst benchmark): on the thread it uses the machine's other core while the main thread goes on answering.
 *
 * The thread starts on the first render. If it dies, every render waiting on it fails (Publish is retried by the
 * state machine) and the next render starts a new thread.
 */

export interface PrintWorker {
  readonly render: PrintFilesRenderer;
  /** ends the thread; a render waiting on it fails */
  stop(): Promise<void>;
}

interface Waiting {
  resolve(files: PrintFiles): void;
  reject(error: Error): void;
}

const THREAD = new URL('./print-thread.ts', import.meta.url);

export function startPrintWorker(): PrintWorker {
  let worker: Worker | undefined;
  let nextId = 0;
  const waiting = new Map<number, Waiting>();

  const failAll = (error: Error) => {
    for (const entry of waiting.values()) entry.reject(error);
    waiting.clear();
  };

  const thread = (): Worker => {
    if (worker !== undefined) return worker;
    const started = startTsThread(THREAD, undefined);
    started.on('message', (message: unknown) => {
      const reply = PrintReplySchema.parse(message);
      const entry = waiting.get(reply.id);
      waiting.delete(reply.id);
      if (waiting.size === 0) started.unref();
      if (entry === undefined) return;
      if (reply.ok) entry.resolve({ pdf: reply.pdf, docx: reply.docx });
      else entry.reject(new Error(`the print thread could not render: ${reply.message}`));
    });
    const lost = (error: Error) => {
      if (worker === started) worker = undefined;
      failAll(error);
    };
    started.on('error', lost);
    started.on('exit', (code) => lost(new Error(`the print thread exited (code ${code})`)));
    worker = started;
    return started;
  };

  return {
    render(document, signedOn) {
      return new Promise<PrintFiles>((resolve, reject) => {
        const id = nextId++;
        const request: PrintRequest = { id, document, signedOn };
        waiting.set(id, { resolve, reject });
        const target = thread();
        // held by the process only while a render waits, so an idle thread never keeps a stopped stack alive
        target.ref();
        target.postMessage(request);
      });
    },
    async stop() {
      const stopping = worker;
      worker = undefined;
      if (stopping !== undefined) await stopping.terminate();
      failAll(new Error('the print thread was stopped'));
    },
  };
}
