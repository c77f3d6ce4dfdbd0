import { createHash } from 'node:crypto';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as z from 'zod';
import type { DefinitionOptions } from './local-names.js';

/**
 * The review state machine's definition for the local engine without running CDK at every start (loading aws-cdk-lib
 * and synthesizing take 8–12 s on a busy 2-core machine, most of `npm start`). The definition is a pure function of
 * the construct's source, this folder's synthesis code, the aws-cdk-lib version and the options, so it is stored under
 * a hash of exactly those: the one for the default options is committed beside this file (a fresh clone starts fast;
 * test/infra/local/cached-definition.test.ts, in the integration suite with the other CDK syntheses, fails when it is
 * stale), others are cached in node_modules/.cache/nianbao. A stale or missing entry is synthesized and stored; it can
 * never be used by mistake.
 */

const HERE = fileURLToPath(new URL('.', import.meta.url));
const SOURCES = [join(HERE, '..', 'review-state-machine.ts'), join(HERE, 'definition.ts'), join(HERE, 'local-names.ts')];
export const COMMITTED_DEFINITION = join(HERE, 'review-definition.json');
const CACHE_DIR = join(HERE, '..', '..', 'node_modules', '.cache', 'nianbao');

const StoredSchema = z.object({ key: z.string(), definition: z.record(z.string(), z.unknown()) });

function cdkVersion(): string {
  const require = createRequire(import.meta.url);
  return z.object({ version: z.string() }).parse(require('aws-cdk-lib/package.json')).version;
}

/** sha256 of the sources, the aws-cdk-lib version and the options (undefined options left out, so {} = defaults). */
export async function definitionKey(options: DefinitionOptions = {}): Promise<string> {
  const hash = createHash('sha256');
  for (const file of SOURCES) hash.update(await readFile(file)).update('\0');
  hash.update(cdkVersion()).update('\0');
  hash.update(
    JSON.stringify({
      review: options.reviewTimeoutSeconds,
      revision: options.revisionTimeoutSeconds,
      execution: options.executionTimeoutSeconds,
    }),
  );
  return hash.digest('hex');
}

const isDefault = (options: DefinitionOptions) =>
  options.reviewTimeoutSeconds === undefined &&
  options.revisionTimeoutSeconds === undefined &&
  options.executionTimeoutSeconds === undefined;

async function stored(file: string, key: string): Promise<Record<string, unknown> | undefined> {
  try {
    const parsed = StoredSchema.safeParse(JSON.parse(await readFile(file, 'utf8')));
    return parsed.success && parsed.data.key === key ? parsed.data.definition : undefined;
  } catch {
    return undefined;
  }
}

async function store(file: string, key: string, definition: Record<string, unknown>): Promise<void> {
  const temporary = `${file}.${process.pid}.tmp`;
  await writeFile(temporary, `${JSON.stringify({ key, definition }, null, 2)}\n`);
  await rename(temporary, file);
}

/** Synthesizes with CDK (the slow path) and returns the definition. */
export async function synthesizeDefinition(options: DefinitionOptions = {}): Promise<Record<string, unknown>> {
  const { synthesizeReviewDefinition } = await import('./definition.js');
  return synthesizeReviewDefinition(options);
}

export interface CachedDefinition {
  readonly definition: Record<string, unknown>;
  /** where it came from: the committed file, the cache, or a synthesis just now */
  readonly source: 'committed' | 'cache' | 'synthesized';
}

export async function loadReviewDefinition(options: DefinitionOptions = {}): Promise<CachedDefinition> {
  const key = await definitionKey(options);
  if (isDefault(options)) {
    const committed = await stored(COMMITTED_DEFINITION, key);
    if (committed !== undefined) return { definition: committed, source: 'committed' };
  }
  const cached = join(CACHE_DIR, `review-definition-${key.slice(0, 32)}.json`);
  const hit = await stored(cached, key);
  if (hit !== undefined) return { definition: hit, source: 'cache' };
  const definition = await synthesizeDefinition(options);
  try {
    await mkdir(CACHE_DIR, { recursive: true });
    await store(cached, key, definition);
  } catch {
    // a read-only checkout: synthesize again next time
  }
  return { definition, source: 'synthesized' };
}

/** Writes the committed definition for the default options: `node --import tsx infra/local/cached-definition.ts`. */
export async function writeCommittedDefinition(): Promise<void> {
  await store(COMMITTED_DEFINITION, await definitionKey(), await synthesizeDefinition());
}

if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1]) await writeCommittedDefinition();
