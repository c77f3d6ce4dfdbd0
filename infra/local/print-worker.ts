import type { Worker } from 'node:worker_threads';
import type { PrintFiles, PrintFilesRenderer } from '../../shared/report/print/print-files.js';
import { PendingReplies } from './pending-replies.js';
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

const THREAD = new URL('./print-thread.ts', import.meta.url);

export function startPrintWorker(): PrintWorker {
  let worker: Worker | undefined;
  // held by the process only while a render waits, so an idle thread never keeps a stopped stack alive
  const replies = new PendingReplies<PrintFiles>((busy) => (busy ? thread().ref() : worker?.unref()));

  const thread = (): Worker => {
    if (worker !== undefined) return worker;
    const started = startTsThread(THREAD, undefined);
    started.on('message', (message: unknown) => {
      const reply = PrintReplySchema.parse(message);
      replies.settle(
        reply.id,
        reply.ok
          ? { value: { pdf: reply.pdf, docx: reply.docx } }
          : { error: new Error(`the print thread could not render: ${reply.message}`) },
      );
    });
    const lost = (error: Error) => {
      if (worker === started) worker = undefined;
      replies.failAll(error);
    };
    started.on('error', lost);
    started.on('exit', (code) => lost(new Error(`the print thread exited (code ${code})`)));
    worker = started;
    return started;
  };

  return {
    render(document, signedOn) {
      return replies.ask((id) => {
        const request: PrintRequest = { id, document, signedOn };
        thread().postMessage(request);
      });
    },
    async stop() {
      const stopping = worker;
      worker = undefined;
      if (stopping !== undefined) await stopping.terminate();
      replies.failAll(new Error('the print thread was stopped'));
    },
  };
}
