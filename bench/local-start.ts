import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import os from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Benchmark, BenchmarkResult, Target } from './run.js';
import { marginUnder, seconds } from './support/stats.js';

/**
 * `npm start` from the outside: how long until /healthz answers 200, on a fresh clone (a new DATA_DIR, nothing cached
 * by tsx) and on a restart (the same DATA_DIR again), and what it printed on the way.
 */

const FRESH_TARGET_MS = 10_000;
const RESTART_TARGET_MS = 5_000;
const ROOT = fileURLToPath(new URL('../', import.meta.url));

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address !== null ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

interface Start {
  readonly healthzMs: number;
  /** the progress lines, with when each came (ms from the spawn) */
  readonly lines: readonly { at: number; text: string }[];
}

/** Spawns `npm start`'s command (node --import tsx infra/local/start.ts), waits for /healthz 200, stops it (SIGTERM). */
async function startOnce(dataDir: string, env: Record<string, string>): Promise<Start> {
  const port = await freePort();
  const t0 = performance.now();
  const child = spawn(process.execPath, ['--import', 'tsx', 'infra/local/start.ts'], {
    cwd: ROOT,
    env: { ...process.env, ...env, PORT: String(port), DATA_DIR: dataDir, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines: { at: number; text: string }[] = [];
  let pending = '';
  child.stdout.on('data', (chunk: Buffer) => {
    pending += chunk.toString('utf8');
    const parts = pending.split('\n');
    pending = parts.pop() ?? '';
    for (const text of parts)
      if (text.trim() !== '' && !text.startsWith('{')) lines.push({ at: performance.now() - t0, text: text.trim() });
  });
  child.stderr.resume();
  try {
    for (;;) {
      if (child.exitCode !== null) throw new Error(`npm start exited with ${child.exitCode}`);
      if (performance.now() - t0 > 120_000) throw new Error('npm start did not answer /healthz within 120 s');
      const ok = await fetch(`http://127.0.0.1:${port}/healthz`).then(
        (response) => response.status === 200,
        () => false,
      );
      if (ok) return { healthzMs: performance.now() - t0, lines };
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  } finally {
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    await exited;
  }
}

export const localStart: Benchmark = {
  id: 'local-start',
  title: '`npm start`: time to /healthz',
  method: [
    'The command `npm start` runs (node --import tsx infra/local/start.ts) spawned with a new temporary DATA_DIR and PORT; /healthz polled every 50 ms; ' +
      'the time is from the spawn to the first 200. Then SIGTERM, and the same once more on the same DATA_DIR (a restart).',
    'Fresh clone: TSX_DISABLE_CACHE=1, so every source is compiled again as after `npm ci` in a new checkout (the review definition comes from the ' +
      "committed infra/local/review-definition.json, as in a clone). Restart: tsx's cache as the first start left it, the data already there.",
    `Targets: ≤ ${FRESH_TARGET_MS / 1000} s on a fresh clone, ≤ ${RESTART_TARGET_MS / 1000} s on a restart; ` +
      'the progress lines `npm start` printed are listed with when they came.',
  ],
  async run(log): Promise<BenchmarkResult> {
    const dataDir = await mkdtemp(join(os.tmpdir(), 'nianbao-bench-start-'));
    try {
      const fresh = await startOnce(dataDir, { TSX_DISABLE_CACHE: '1' });
      log(`fresh clone: /healthz after ${seconds(fresh.healthzMs)}`);
      const restart = await startOnce(dataDir, {});
      log(`restart: /healthz after ${seconds(restart.healthzMs)}`);
      const rows = [
        [
          'fresh clone (new DATA_DIR, no tsx cache)',
          seconds(fresh.healthzMs),
          fresh.lines
            .filter((line) => /^\d/.test(line.text))
            .map((line) => line.text.replace(/\s+/g, ' '))
            .join('; '),
        ],
        [
          'restart (same DATA_DIR)',
          seconds(restart.healthzMs),
          restart.lines
            .filter((line) => /^\d/.test(line.text))
            .map((line) => line.text.replace(/\s+/g, ' '))
            .join('; '),
        ],
      ];
      const targets: Target[] = [
        {
          name: '`npm start` to /healthz, fresh clone',
          target: `≤ ${FRESH_TARGET_MS / 1000} s`,
          measured: seconds(fresh.healthzMs),
          pass: fresh.healthzMs <= FRESH_TARGET_MS,
          margin: marginUnder(fresh.healthzMs, FRESH_TARGET_MS),
        },
        {
          name: '`npm start` to /healthz, restart',
          target: `≤ ${RESTART_TARGET_MS / 1000} s`,
          measured: seconds(restart.healthzMs),
          pass: restart.healthzMs <= RESTART_TARGET_MS,
          margin: marginUnder(restart.healthzMs, RESTART_TARGET_MS),
        },
      ];
      const notes = [
        'Where the time went before: CDK synthesized the review state machine at every start (loading aws-cdk-lib and synthesizing: ' +
          '8–12 s on this busy machine). The definition is now read from a file keyed by a hash of its sources and the aws-cdk-lib ' +
          'version (infra/local/cached-definition.ts), and synthesized only when stale.',
        'Then the handler modules (with the Word, PDF, Excel and import libraries they bring) were over half of what a start loaded ' +
          "(2.2–2.8 s of 4.5 s before dynalite, under load ~15; restart 7.3 s): infra/local/handlers.ts now imports each on its handler's " +
          'first call and the stack loads them all in the background once /healthz answers.',
        `Load average at the end: ${os
          .loadavg()
          .map((value) => value.toFixed(2))
          .join(' / ')}.`,
      ];
      return { columns: ['Start', '/healthz after', 'progress printed (elapsed in the process, step)'], rows, targets, notes };
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  },
};
