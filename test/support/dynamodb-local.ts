import { execFile, spawn } from 'node:child_process';
import { accessSync, constants, existsSync } from 'node:fs';
import { mkdir, mkdtemp, readdir, rename, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { delimiter, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { createTestDynamoClient, type Emulator } from './dynalite.js';

/**
 * The real DynamoDB Local (Java), for checking that what passes on dynalite also passes on AWS's own emulator.
 * The jar ships inside the npm package amplify-dynamodb-simulator (folder `emulator/`): it is fetched once with
 * `npm pack` into node_modules/.cache/dynamodb-local/ (only that folder is kept, ~64 MB) and reused afterwards.
 */

process.env['AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED'] = 'true';

const SIMULATOR_PACKAGE = 'amplify-dynamodb-simulator@2.9.30';
const PROJECT_ROOT = fileURLToPath(new URL('../../', import.meta.url));
export const DYNAMODB_LOCAL_CACHE = join(PROJECT_ROOT, 'node_modules', '.cache', 'dynamodb-local');
const EMULATOR_DIR = join(DYNAMODB_LOCAL_CACHE, 'emulator');
const JAR = 'DynamoDBLocal.jar';

const execFileAsync = promisify(execFile);

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

/**
 * The directory holding DynamoDBLocal.jar and DynamoDBLocal_lib/, downloaded on first use. Safe when several test
 * processes ask at once: each unpacks into its own staging directory and the first rename wins.
 */
export async function ensureDynamoDBLocalJar(): Promise<string> {
  if (existsSync(join(EMULATOR_DIR, JAR))) return EMULATOR_DIR;
  await mkdir(DYNAMODB_LOCAL_CACHE, { recursive: true });
  const staging = await mkdtemp(join(DYNAMODB_LOCAL_CACHE, 'download-'));
  try {
    await execFileAsync('npm', ['pack', SIMULATOR_PACKAGE, '--pack-destination', staging, '--silent', '--no-fund', '--no-audit'], {
      cwd: staging,
      maxBuffer: 16 * 1024 * 1024,
    });
    const tarball = (await readdir(staging)).find((name) => name.endsWith('.tgz'));
    if (tarball === undefined) throw new Error(`npm pack ${SIMULATOR_PACKAGE} produced no tarball`);
    await execFileAsync('tar', ['-xzf', join(staging, tarball), '-C', staging, 'package/emulator']);
    const unpacked = join(staging, 'package', 'emulator');
    if (!existsSync(join(unpacked, JAR))) throw new Error(`${SIMULATOR_PACKAGE} has no emulator/${JAR}`);
    try {
      await rename(unpacked, EMULATOR_DIR);
    } catch (error) {
      // Another process got there first.
      if (!existsSync(join(EMULATOR_DIR, JAR))) throw error;
    }
  } finally {
    await rm(staging, { recursive: true, force: true });
  }
  return EMULATOR_DIR;
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
  const dir = await ensureDynamoDBLocalJar();
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
