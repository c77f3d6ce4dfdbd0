import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, sign, type KeyObject } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import type { Signer } from '../workflow/history-ports.js';

/**
 * The local stack's history key: an ECDSA P-256 key in a PEM file beside the data (owner-only), never in the table.
 * It signs exactly as the KMS key does (ECDSA_SHA_256, DER), so one verifier checks both.
 */
export class LocalSigner implements Signer {
  readonly keyId: string;
  private readonly privateKey: KeyObject;
  private readonly publicPem: string;

  constructor(privateKeyPem: string) {
    this.privateKey = createPrivateKey(privateKeyPem);
    const publicKey = createPublicKey(this.privateKey);
    this.publicPem = publicKey.export({ format: 'pem', type: 'spki' }).toString();
    const fingerprint = createHash('sha256')
      .update(publicKey.export({ format: 'der', type: 'spki' }))
      .digest('hex')
      .slice(0, 16);
    this.keyId = `local:${fingerprint}`;
  }

  async sign(message: Buffer): Promise<Buffer> {
    return sign('sha256', message, this.privateKey);
  }

  async publicKeyPem(): Promise<string> {
    return this.publicPem;
  }
}

export function newSigningKeyPem(): string {
  const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  return privateKey.export({ format: 'pem', type: 'pkcs8' }).toString();
}

/** Reads the key file, making it (mode 0600) on first use. */
export async function loadOrCreateLocalSigner(file: string): Promise<LocalSigner> {
  try {
    return new LocalSigner(await readFile(file, 'utf8'));
  } catch (error) {
    if (!(error instanceof Error && 'code' in error && error.code === 'ENOENT')) throw error;
  }
  try {
    await writeFile(file, newSigningKeyPem(), { mode: 0o600, flag: 'wx' });
  } catch (error) {
    // another process made it first: use theirs
    if (!(error instanceof Error && 'code' in error && error.code === 'EEXIST')) throw error;
  }
  return new LocalSigner(await readFile(file, 'utf8'));
}
