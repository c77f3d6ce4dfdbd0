import { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createRequire } from 'node:module';
import { DynamoDBClient, type DynamoDBClientConfig } from '@aws-sdk/client-dynamodb';

/**
 * dynalite in this process, on 127.0.0.1 and a free port. In memory unless `path` names a LevelDB directory (which
 * then survives a stop/start). Tables leave CREATING at once (dynalite's default holds them 500 ms).
 */

process.env['AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED'] = 'true';

export interface Emulator {
  readonly endpoint: string;
  /** the emulator's HTTP request listener, for a transport other than its TCP port (port-http.ts) */
  readonly listener?: (...args: unknown[]) => unknown;
  stop(): Promise<void>;
}

export interface DynaliteOptions {
  /** LevelDB directory; in memory when absent */
  readonly path?: string;
}

interface DynaliteServerOptions {
  path?: string;
  createTableMs?: number;
  deleteTableMs?: number;
  updateTableMs?: number;
}

type DynaliteFactory = (options: DynaliteServerOptions) => Server;

// dynalite is CommonJS without type declarations; `module.exports` is the factory.
function isDynaliteFactory(value: unknown): value is DynaliteFactory {
  return typeof value === 'function';
}

function loadDynalite(): DynaliteFactory {
  const required: unknown = createRequire(import.meta.url)('dynalite');
  if (!isDynaliteFactory(required)) throw new Error('dynalite did not export its server factory');
  return required;
}

export async function startDynalite(options: DynaliteOptions = {}): Promise<Emulator> {
  const server = loadDynalite()({
    ...(options.path === undefined ? {} : { path: options.path }),
    createTableMs: 0,
    deleteTableMs: 0,
    updateTableMs: 0,
  });
  if (!(server instanceof Server)) throw new Error('dynalite did not return an http.Server');
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('dynalite is not listening on a TCP port');
  const { port }: AddressInfo = address;
  let stopped: Promise<void> | undefined;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    listener: (...args) => server.emit('request', ...args),
    stop() {
      stopped ??= new Promise<void>((resolve, reject) => {
        // dynalite's close also closes its LevelDB store (flushed to disk when `path` is set).
        server.close((error?: Error) => (error ? reject(error) : resolve()));
        server.closeIdleConnections();
      });
      return stopped;
    },
  };
}

/** A DynamoDB client for an emulator: fixed dummy credentials, us-east-1. */
/**
 * A request "signer" for the emulators of the local stack (dynalite, the Step Functions endpoint), which never check
 * a signature: it adds the two headers they look for and skips SigV4's hashing, about a third of the client's work
 * per request in a burst. Never used against AWS.
 */
export const EMULATOR_SIGNER: NonNullable<DynamoDBClientConfig['signer']> = {
  sign: async (request) => {
    request.headers['x-amz-date'] = new Date().toISOString().replace(/[-:]|\.\d{3}/g, '');
    request.headers['authorization'] =
      'AWS4-HMAC-SHA256 Credential=local/20200101/us-east-1/local/aws4_request, SignedHeaders=host, Signature=0';
    return request;
  },
};

export function createTestDynamoClient(endpoint: string, overrides: DynamoDBClientConfig = {}): DynamoDBClient {
  return new DynamoDBClient({
    endpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'AKIDTEST', secretAccessKey: 'test-secret' },
    ...overrides,
  });
}

/** A table name no other test uses (dynalite wants at least 3 characters). */
export function uniqueTableName(prefix = 'nianbao'): string {
  return `${prefix}-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`;
}
