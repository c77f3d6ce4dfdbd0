/**
 * The local stack's stand-in for EventBridge Scheduler: runs the reminder task at start (so a machine that was off
 * catches up) and then every `intervalMs`, one run at a time. It keeps no state of its own: what was sent is in the
 * table (each reminder claimed before its mail and marked after), which lives in DATA_DIR and survives a restart.
 */

export interface ReminderTimer {
  stop(): Promise<void>;
}

export function startReminderTimer(run: () => Promise<unknown>, intervalMs: number, onError: (error: unknown) => void): ReminderTimer {
  let running: Promise<void> = Promise.resolve();
  let stopped = false;
  const tick = () => {
    running = running.then(async () => {
      if (stopped) return;
      try {
        await run();
      } catch (error) {
        onError(error);
      }
    });
  };
  tick();
  const timer = setInterval(tick, intervalMs);
  timer.unref();
  return {
    async stop() {
      stopped = true;
      clearInterval(timer);
      await running;
    },
  };
}
