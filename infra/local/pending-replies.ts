/**
 * Requests posted to another thread and answered by id: who waits for which reply, and the thread (or port) held
 * only while someone waits, so an idle one never keeps a stopped stack alive. Used by the print thread
 * (print-worker.ts) and the port to dynalite's thread (port-http.ts).
 */

interface Waiting<T> {
  resolve(value: T): void;
  reject(error: Error): void;
}

export type Reply<T> = { readonly value: T } | { readonly error: Error };

export class PendingReplies<T> {
  private nextId = 0;
  private readonly waiting = new Map<number, Waiting<T>>();

  /** `hold(true)` when the first request starts waiting, `hold(false)` when the last one is answered */
  constructor(private readonly hold: (busy: boolean) => void) {}

  /** A new id, and the promise of its reply; `post` sends the request that carries the id. */
  ask(post: (id: number) => void): Promise<T> {
    const id = this.nextId++;
    return new Promise<T>((resolve, reject) => {
      if (this.waiting.size === 0) this.hold(true);
      this.waiting.set(id, { resolve, reject });
      post(id);
    });
  }

  /** Settles the request with this id; a reply nobody waits for (answered already, or failed) is dropped. */
  settle(id: number, reply: Reply<T>): void {
    const entry = this.waiting.get(id);
    if (entry === undefined) return;
    this.waiting.delete(id);
    if (this.waiting.size === 0) this.hold(false);
    if ('error' in reply) entry.reject(reply.error);
    else entry.resolve(reply.value);
  }

  /** Fails every request still waiting (the thread or port is gone). */
  failAll(error: Error): void {
    const entries = [...this.waiting.values()];
    if (entries.length === 0) return;
    this.waiting.clear();
    this.hold(false);
    for (const entry of entries) entry.reject(error);
  }
}
