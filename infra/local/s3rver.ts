import { createHash, randomUUID } from 'node:crypto';
import { mkdir, mkdtemp, rename, rm, writeFile } from 'node:fs/promises';
import type { Readable } from 'node:stream';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

/**
 * s3rver in this process, on 127.0.0.1 and a free port, storing into the given directory or a fresh temporary one
 * (removed on stop), with one bucket already there. Talk to it with createLocalS3Client (shared/store/s3-client.ts).
 */

process.env['AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED'] = 'true';

export interface S3rverEmulator {
  readonly endpoint: string;
  readonly bucket: string;
  /** the directory s3rver writes objects into */
  readonly directory: string;
  stop(): Promise<void>;
}

interface S3rverOptions {
  address: string;
  port: number;
  silent: boolean;
  directory: string;
  configureBuckets: { name: string }[];
}

interface S3rverInstance {
  run(): Promise<unknown>;
  close(): Promise<void>;
}

type S3rverClass = new (options: S3rverOptions) => S3rverInstance;

function isS3rverClass(value: unknown): value is S3rverClass {
  if (typeof value !== 'function') return false;
  const prototype: unknown = value.prototype;
  return (
    typeof prototype === 'object' &&
    prototype !== null &&
    typeof Reflect.get(prototype, 'run') === 'function' &&
    typeof Reflect.get(prototype, 'configureBuckets') === 'function'
  );
}

/**
 * s3rver is CommonJS (`module.exports = S3rver`) without type declarations. Under Node's ESM loader the namespace's
 * `default` is the class; but the class extends Koa, so `S3rver.default` is *Koa's* static `default` (Koa itself):
 * an interop layer that unwraps `default` twice gets a Koa app that starts, serves nothing and has no buckets.
 * So: take the first candidate that really is S3rver (it has `configureBuckets`, which Koa lacks).
 */
async function loadS3rver(): Promise<S3rverClass> {
  // a variable specifier: the package has no type declarations, and the value is checked below instead
  const specifier = 's3rver';
  const namespace: unknown = await import(specifier);
  const candidates: unknown[] = [namespace];
  if (typeof namespace === 'object' && namespace !== null) candidates.push(Reflect.get(namespace, 'default'));
  const found = candidates.find(isS3rverClass);
  if (found === undefined) throw new Error('the s3rver module does not export the S3rver class where expected');
  return found;
}

interface S3rverObject {
  readonly bucket: string;
  readonly key: string;
  readonly content: Buffer | Readable;
  readonly metadata: unknown;
}

interface FilesystemStore {
  getResourcePath(bucket: string, key: string, resource: string): string;
  putMetadata(bucket: string, key: string, metadata: unknown, md5: string): Promise<void>;
  putObject(object: S3rverObject): Promise<{ size: number; md5: string }>;
  getObject(bucket: string, key: string, options?: unknown): Promise<unknown>;
}

function isFilesystemStore(value: unknown): value is FilesystemStore {
  return (
    typeof value === 'object' &&
    value !== null &&
    ['getResourcePath', 'putMetadata', 'putObject', 'getObject'].every((method) => typeof Reflect.get(value, method) === 'function')
  );
}

async function bytesOf(content: Buffer | Readable): Promise<Buffer> {
  if (Buffer.isBuffer(content)) return content;
  const chunks: Buffer[] = [];
  for await (const chunk of content) chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk)));
  return Buffer.concat(chunks);
}

/**
 * s3rver writes an object into its file in place, so a GET while a PUT is under way reads half a page: the public
 * site served a root index cut off mid-tag while the index writer replaced it. S3 never shows a partial object, so
 * here the bytes go to a temporary file (a name s3rver's listing skips) renamed over the object once whole.
 */
function makeObjectWritesAtomic(store: unknown): void {
  if (!isFilesystemStore(store)) throw new Error('s3rver has no filesystem store where expected');
  const getObject = store.getObject.bind(store);
  // s3rver's read takes the object's size from one stat, then opens the file: a rename in between would serve the new
  // bytes cut to the old length. A read and a write of one key therefore take turns until the file is open.
  const turns = new Map<string, Promise<unknown>>();
  const inTurn = <T>(key: string, run: () => Promise<T>): Promise<T> => {
    const result = (turns.get(key) ?? Promise.resolve()).then(run, run);
    const settled = result.then(
      () => undefined,
      () => undefined,
    );
    turns.set(key, settled);
    void settled.then(() => {
      if (turns.get(key) === settled) turns.delete(key);
    });
    return result;
  };
  store.getObject = (bucket, key, options) => inTurn(`${bucket}/${key}`, () => getObject(bucket, key, options));
  store.putObject = async (object) => {
    const objectPath = store.getResourcePath(object.bucket, object.key, 'object');
    const bytes = await bytesOf(object.content);
    const md5 = createHash('md5').update(bytes).digest('hex');
    const partial = `${objectPath}.${randomUUID()}.partial`;
    await mkdir(dirname(objectPath), { recursive: true });
    await writeFile(partial, bytes);
    return inTurn(`${object.bucket}/${object.key}`, async () => {
      await store.putMetadata(object.bucket, object.key, object.metadata, md5);
      await rename(partial, objectPath);
      return { size: bytes.length, md5 };
    });
  };
}

export interface StartS3rverOptions {
  readonly bucket?: string;
  /** where objects are kept (kept after stop); a fresh temporary directory, removed on stop, when absent */
  readonly directory?: string;
  readonly port?: number;
}

export async function startS3rver(options: StartS3rverOptions = {}): Promise<S3rverEmulator> {
  const bucket = options.bucket ?? 'nianbao-site';
  const S3rver = await loadS3rver();
  const temporary = options.directory === undefined;
  const directory = options.directory ?? (await mkdtemp(join(tmpdir(), 'nianbao-s3rver-')));
  const server = new S3rver({
    address: '127.0.0.1',
    port: options.port ?? 0,
    silent: true,
    directory,
    configureBuckets: [{ name: bucket }],
  });
  makeObjectWritesAtomic(Reflect.get(server, 'store'));
  const address = await server.run();
  const port = typeof address === 'object' && address !== null ? Reflect.get(address, 'port') : undefined;
  if (typeof port !== 'number') {
    await server.close();
    throw new Error(`s3rver is not listening on a TCP port (${JSON.stringify(address)})`);
  }
  let stopped: Promise<void> | undefined;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    bucket,
    directory,
    stop() {
      stopped ??= (async () => {
        await server.close();
        if (temporary) await rm(directory, { recursive: true, force: true });
      })();
      return stopped;
    },
  };
}
