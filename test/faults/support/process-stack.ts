import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import { until } from './client.js';

/**
 * `npm start` as a separate process (node --import tsx infra/local/start.ts, which is what the script runs) on a
 * fixed port and DATA_DIR, so a test can SIGKILL it at any moment and start it again on the same data.
 */

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address !== null ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

export class StackProcess {
  readonly url: string;
  private child: ChildProcess | undefined;
  /** how long each start took to answer /healthz, ms */
  readonly startTimes: number[] = [];
  kills = 0;

  constructor(
    readonly port: number,
    readonly dataDir: string,
    private readonly env: Record<string, string> = {},
  ) {
    this.url = `http://127.0.0.1:${port}`;
  }

  get running(): boolean {
    return this.child !== undefined && this.child.exitCode === null && this.child.signalCode === null;
  }

  async start(): Promise<void> {
    if (this.running) throw new Error('already running');
    const started = Date.now();
    const child = spawn(process.execPath, ['--import', 'tsx', 'infra/local/start.ts'], {
      cwd: ROOT,
      env: {
        ...process.env,
        ...this.env,
        PORT: String(this.port),
        DATA_DIR: this.dataDir,
        AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
      },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    // the handlers log one JSON line per request to stdout (ignored); keep stderr for when a start fails
    let stderr = '';
    child.stderr?.on('data', (chunk: Buffer) => {
      stderr = `${stderr}${chunk.toString('utf8')}`.slice(-4000);
    });
    this.child = child;
    await until(
      'the stack to start',
      async () => {
        if (child.exitCode !== null) throw new Error(`the stack exited with ${child.exitCode}: ${stderr}`);
        try {
          return (await fetch(`${this.url}/healthz`)).status === 200;
        } catch {
          return false;
        }
      },
      120_000,
      100,
    );
    this.startTimes.push(Date.now() - started);
  }

  /** SIGKILL: no handler runs, nothing is flushed or closed. Resolves once the process is gone. */
  async kill(): Promise<void> {
    const child = this.child;
    if (!child || !this.running) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGKILL');
    await exited;
    this.kills += 1;
  }

  async restart(): Promise<void> {
    await this.kill();
    await this.start();
  }
}
