import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../../../cli/nianbao.js';
import { anchorPath } from '#shared/history/anchor-file.js';
import { FolderAnchors } from '#shared/history/folder-anchors.js';
import { LocalSigner, newSigningKeyPem } from '#shared/history/local-signer.js';
import { sealEvent } from '#shared/workflow/chain.js';
import { canonicalJson, sha256Hex } from '#shared/workflow/digest.js';
import { signEvent, signedBytes } from '#shared/workflow/history-verification.js';
import type { ReportEvent, UnsealedEvent } from '#shared/workflow/model.js';

/**
 * `nianbao verify` and the method AUDIT.md gives, run with the standard tools it names: openssl re-checks a signature
 * and a hash of an exported event with nothing from nianbao but the exported file.
 */

const run = promisify(execFile);
const REPORT = 'daxing-kw-2020';
let dir = '';
let keyFile = '';
let anchorDir = '';
const events: ReportEvent[] = [];

async function cli(...argv: string[]) {
  let stdout = '';
  let stderr = '';
  const code = await main(argv, {
    stdout: { write: (text: string) => (stdout += text) },
    stderr: { write: (text: string) => (stderr += text) },
  });
  return { code, stdout, stderr };
}

async function exported(list: readonly ReportEvent[], name: string): Promise<string> {
  const file = join(dir, name);
  await writeFile(file, JSON.stringify({ reportId: REPORT, exportedAt: '2021-01-20T01:00:00.000Z', events: list }, null, 2));
  return file;
}

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'nianbao-verify-'));
  anchorDir = join(dir, 'anchors');
  const signer = new LocalSigner(newSigningKeyPem());
  keyFile = join(dir, 'history.pem');
  await writeFile(keyFile, await signer.publicKeyPem());
  const anchors = new FolderAnchors(anchorDir);
  const types: UnsealedEvent['type'][] = ['submitted', 'review_requested', 'decided', 'withdrawn'];
  for (const [index, type] of types.entries()) {
    const unsealed: UnsealedEvent = {
      reportId: REPORT,
      type,
      at: `2021-01-20T0${index}:00:00.000Z`,
      actor: { role: 'officer', email: 'officer@kw.example.cn', name: '张三' },
      version: 1,
      contentSha256: 'a'.repeat(64),
      data: { comment: `第${index + 1}步 https://example.com` },
    };
    const last = events.at(-1);
    const event = await signEvent(sealEvent(unsealed, last && { seq: last.seq, hash: last.hash }), signer);
    events.push(event);
    await anchors.record({ reportId: REPORT, seq: event.seq, hash: event.hash });
  }
});
afterAll(async () => {
  if (dir !== '') await rm(dir, { recursive: true, force: true });
});

describe('nianbao verify', () => {
  it('passes an intact history with the public key and the anchors, and says what it checked', async () => {
    const result = await cli('verify', await exported(events, 'intact.json'), '--public-key', keyFile, '--anchors', anchorDir);
    expect(result.stdout).toContain('签名：4 条有效');
    expect(result.stdout).toContain('锚定：第 4 条与锚定记录相符');
    expect(result.code).toBe(0);
  });

  it('says what it could not check when the key or the anchors are not given', async () => {
    const result = await cli('verify', await exported(events, 'intact-alone.json'));
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('签名：未校验');
  });

  it('fails a truncated history (the last event deleted) from the anchors, naming the check and the record', async () => {
    const result = await cli(
      'verify',
      await exported(events.slice(0, -1), 'truncated.json'),
      '--public-key',
      keyFile,
      '--anchors',
      anchorDir,
      '--json',
    );
    expect(result.code).toBe(1);
    expect(JSON.parse(result.stdout)).toMatchObject({ valid: false, problem: { seq: 4, kind: 'anchor' } });
  });

  it('fails an edited event whose hashes were all recomputed, from its signature', async () => {
    const edited = events.map((event) => ({ ...event }));
    const third = edited[2];
    if (!third) throw new Error('no third event');
    edited[2] = { ...third, data: { comment: '改过的意见' } };
    // recompute every hash from the edited one on, as an attacker without the key would
    for (let i = 2; i < edited.length; i++) {
      const current = edited[i];
      if (!current) continue;
      const { hash: _hash, signature: _signature, ...body } = { ...current, prevHash: edited[i - 1]?.hash ?? '' };
      edited[i] = { ...body, hash: sha256Hex(canonicalJson(body)), ...(current.signature ? { signature: current.signature } : {}) };
    }
    const result = await cli('verify', await exported(edited, 'edited.json'), '--public-key', keyFile, '--json');
    expect(result.code).toBe(1);
    expect(JSON.parse(result.stdout)).toMatchObject({ problem: { seq: 3, kind: 'signature' } });
  });

  it('refuses a file that is not an export with exit code 2', async () => {
    const file = join(dir, 'not-history.json');
    await writeFile(file, '{"events": 3}');
    expect((await cli('verify', file)).code).toBe(2);
  });
});

describe('the method of AUDIT.md, with openssl', () => {
  it('step 3: the hash is sha256 of the canonical JSON of the event without hash and signature', async () => {
    const event = events[1];
    if (!event) throw new Error('no event');
    const { hash: _hash, signature: _signature, ...body } = event;
    const file = join(dir, 'event-2-body.json');
    await writeFile(file, canonicalJson(body));
    const { stdout } = await run('openssl', ['dgst', '-sha256', '-r', file]);
    expect(stdout.split(' ')[0]).toBe(event.hash);
  });

  it('step 4: openssl dgst -sha256 -verify accepts the signature of an exported event, and refuses it on an edited one', async () => {
    const event = events[2];
    if (!event?.signature) throw new Error('no signed event');
    const body = join(dir, 'event-3-signed.json');
    const signature = join(dir, 'event-3.sig');
    // the exported event minus its signature, canonical; the signature base64-decoded to its DER bytes
    await writeFile(body, canonicalJson(Object.fromEntries(Object.entries(event).filter(([name]) => name !== 'signature'))));
    await writeFile(signature, Buffer.from(event.signature.value, 'base64'));
    expect(await readFile(body)).toEqual(signedBytes(event));
    const ok = await run('openssl', ['dgst', '-sha256', '-verify', keyFile, '-signature', signature, body]);
    expect(ok.stdout.trim()).toBe('Verified OK');

    await writeFile(
      body,
      canonicalJson({ ...Object.fromEntries(Object.entries(event).filter(([name]) => name !== 'signature')), version: 2 }),
    );
    await expect(run('openssl', ['dgst', '-sha256', '-verify', keyFile, '-signature', signature, body])).rejects.toMatchObject({
      stdout: expect.stringContaining('Verification failure'),
    });
  });

  it('step 5: the anchor of the last event names its hash, and none exists after it', async () => {
    const last = events.at(-1);
    if (!last) throw new Error('no events');
    const anchor = JSON.parse(await readFile(join(anchorDir, anchorPath(REPORT, last.seq)), 'utf8')) as { hash: string };
    expect(anchor.hash).toBe(last.hash);
    await expect(readFile(join(anchorDir, anchorPath(REPORT, last.seq + 1)))).rejects.toMatchObject({ code: 'ENOENT' });
  });
});
