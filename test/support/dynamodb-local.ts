import { spawn } from 'node:child_process';
import { accessSync, constants, existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import { delimiter, dirname, join } from 'node:path';
import { ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { createTestDynamoClient, type Emulator } from './dynalite.js';

/**
 * The real DynamoDB Local (Java), for checking that what passes on dynalite also passes on AWS's own emulator.
 * The jar ships inside the npm package amplify-dynamodb-simulator (folder `emulator/`), a pinned devDependency, so
 * the version under test is the one package-lock.json records, not whatever the registry serves that day.
 */

process.env['AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED'] = 'true';

const JAR = 'DynamoDBLocal.jar';
export const DYNAMODB_LOCAL_DIR = join(
  dirname(createRequire(import.meta.url).resolve('amplify-dynamodb-simulator/package.json')),
  'emulator',
);

/** True when an executable `java` is on PATH. */
export function javaAvailable(): boolean {
  const names = process.platform === 'win32' ? ['java.exe', 'java.cmd', 'java.bat'] : ['java'];
  for (const dir of (process.env['PATH'] ?? '').split(delimiter)) {
    if (dir === '') continue;
    for (const name of names) {
      try {
        accessSync(join(dir, name), constants.X_OK);
        return true;
      } catch {
        // not here
      }
    }
  }
  return false;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => {
        if (address === null || typeof address === 'string') reject(new Error('no TCP port'));
        else resolve(address.port);
      });
    });
  });
}

export interface DynamoDBLocalOptions {
  /** how long to wait for the first answer; the JVM takes 1.5–5 s */
  readonly startTimeoutMs?: number;
}

/** Starts DynamoDB Local in memory on a free port and resolves once it answers ListTables. */
export async function startDynamoDBLocal(options: DynamoDBLocalOptions = {}): Promise<Emulator> {
  const startTimeoutMs = options.startTimeoutMs ?? 45_000;
  const dir = DYNAMODB_LOCAL_DIR;
  if (!existsSync(join(dir, JAR))) throw new Error(`${JAR} is missing from ${dir}: run npm ci`);
  const port = await freePort();
  const child = spawn(
    'java',
    ['-Djava.library.path=DynamoDBLocal_lib', '-jar', JAR, '-inMemory', '-disableTelemetry', '-port', String(port)],
    { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let output = '';
  const keep = (chunk: Buffer): void => {
    output = (output + chunk.toString('utf8')).slice(-4000);
  };
  child.stdout.on('data', keep);
  child.stderr.on('data', keep);
  let exited = false;
  const exitedPromise = new Promise<void>((resolve) => {
    child.once('exit', () => {
      exited = true;
      resolve();
    });
  });
  let spawnError: Error | undefined;
  child.once('error', (error) => {
    spawnError = error;
  });
  // Never leave a JVM behind if the test process ends without calling stop().
  const killOnExit = (): void => {
    if (!exited) child.kill('SIGKILL');
  };
  process.once('exit', killOnExit);

  const stop = async (): Promise<void> => {
    process.off('exit', killOnExit);
    if (!exited) {
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
      await exitedPromise;
      clearTimeout(timer);
    }
  };

  const endpoint = `http://127.0.0.1:${port}`;
  const probe = createTestDynamoClient(endpoint, { maxAttempts: 1 });
  const deadline = Date.now() + startTimeoutMs;
  try {
    for (;;) {
      if (spawnError !== undefined) throw spawnError;
      if (exited) throw new Error(`DynamoDB Local exited during start (exit code ${child.exitCode}):\n${output}`);
      try {
        await probe.send(new ListTablesCommand({}), { requestTimeout: 1_000 });
        break;
      } catch (error) {
        if (Date.now() > deadline) {
          throw new Error(`DynamoDB Local did not answer within ${startTimeoutMs} ms:\n${output}`, { cause: error });
        }
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    }
  } catch (error) {
    await stop();
    throw error;
  } finally {
    probe.destroy();
  }
  return { endpoint, stop };
}
