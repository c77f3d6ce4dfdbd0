import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { freePort } from '../faults/support/process-stack.js';

/**
 * `npm start` in a terminal: its progress while starting, then the banner, which request logs may not push off the
 * screen; they go to DATA_DIR/logs/requests.log (and, with LOG_LEVEL=debug, to the terminal as well).
 */

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const BANNER_END = '按 Ctrl-C 停止。';

async function waitFor(what: string, ready: () => boolean | Promise<boolean>, ms = 120_000): Promise<void> {
  const until = Date.now() + ms;
  while (!(await ready())) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** Starts the stack, asks it for two pages, and returns what the terminal showed and what the log file holds. */
async function startAndAsk(env: Record<string, string>): Promise<{ terminal: string; logFile: string; banner: string }> {
  const dataDir = await mkdtemp(join(tmpdir(), 'nianbao-start-logs-'));
  const port = await freePort();
  const child = spawn(process.execPath, ['--import', 'tsx', 'infra/local/start.ts'], {
    cwd: ROOT,
    env: { ...process.env, LOG_LEVEL: '', POWERTOOLS_LOG_LEVEL: '', ...env, PORT: String(port), DATA_DIR: dataDir },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let terminal = '';
  child.stdout.on('data', (chunk: Buffer) => {
    terminal += chunk.toString('utf8');
  });
  child.stderr.on('data', (chunk: Buffer) => {
    terminal += chunk.toString('utf8');
  });
  try {
    await waitFor('the banner', () => terminal.includes(BANNER_END) || child.exitCode !== null);
    expect(child.exitCode, terminal).toBeNull();
    const banner = terminal;
    for (const path of ['/login', '/api/me']) await fetch(`http://127.0.0.1:${port}${path}`);
    const logPath = join(dataDir, 'logs', 'requests.log');
    await waitFor('the request log', async () => (await readFile(logPath, 'utf8').catch(() => '')).includes('"route":"get-me"'), 10_000);
    // a moment for anything the requests would print
    await new Promise((resolve) => setTimeout(resolve, 300));
    return { terminal, logFile: await readFile(logPath, 'utf8'), banner };
  } finally {
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    await exited;
    await rm(dataDir, { recursive: true, force: true });
  }
}

describe('npm start', () => {
  it('prints its progress, then the banner with where the log is, and the requests only into the log file', async () => {
    const { terminal, logFile, banner } = await startAndAsk({});
    expect(banner.split('\n')[0]).toContain('nianbao 正在启动…');
    expect(banner).toMatch(/请求日志\s+\S*logs\/requests\.log/u);
    // the banner stays the last thing on the screen
    expect(terminal.trimEnd().endsWith(BANNER_END)).toBe(true);
    expect(terminal).not.toContain('"route"');
    const lines = logFile
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(lines).toEqual(expect.arrayContaining([expect.objectContaining({ message: 'http', route: 'get-me', status: 401 })]));
  }, 180_000);

  it('shows the request lines on the terminal as well with LOG_LEVEL=debug', async () => {
    const { terminal, logFile } = await startAndAsk({ LOG_LEVEL: 'debug' });
    expect(logFile).toContain('"route":"get-me"');
    expect(terminal.slice(terminal.indexOf(BANNER_END))).toContain('"route":"get-me"');
  }, 180_000);
});
