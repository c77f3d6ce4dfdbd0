import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { main } from '../../../cli/nianbao.js';

/** `main` with an in-memory io, and input files in a fresh temp directory. */

export interface Run {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

export async function run(...argv: string[]): Promise<Run> {
  let stdout = '';
  let stderr = '';
  const code = await main(argv, {
    stdout: { write: (text: string) => (stdout += text) },
    stderr: { write: (text: string) => (stderr += text) },
  });
  return { code, stdout, stderr };
}

export interface TempDir {
  readonly path: string;
  /** writes content (JSON-encoded unless it is a string or bytes) to a file of that name and returns its path */
  file(name: string, content: unknown): Promise<string>;
  remove(): Promise<void>;
}

export async function tempDir(): Promise<TempDir> {
  const path = await mkdtemp(join(tmpdir(), 'nianbao-cli-'));
  return {
    path,
    file: async (name, content) => {
      const target = join(path, name);
      await writeFile(target, typeof content === 'string' || content instanceof Uint8Array ? content : JSON.stringify(content, null, 2));
      return target;
    },
    remove: () => rm(path, { recursive: true, force: true }),
  };
}
