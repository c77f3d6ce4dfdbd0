import { hkdfSync } from 'node:crypto';

/**
 * One master secret (Secrets Manager in AWS, a generated file in DATA_DIR locally) and a key derived from it for
 * each use, so a key leaked from one use cannot forge another.
 */
export interface Keys {
  /** signs review links */
  readonly links: Buffer;
  /** fingerprints sign-in codes */
  readonly signInCodes: Buffer;
  /** marks a browser that has signed in as an address (auth/browser.ts) */
  readonly signInBrowsers: Buffer;
}

export const MIN_MASTER_SECRET_BYTES = 32;

export function deriveKeys(masterSecret: Buffer): Keys {
  if (masterSecret.length < MIN_MASTER_SECRET_BYTES) {
    throw new Error(`the master secret needs at least ${MIN_MASTER_SECRET_BYTES} bytes`);
  }
  const derive = (purpose: string) => Buffer.from(hkdfSync('sha256', masterSecret, Buffer.alloc(0), `nianbao ${purpose}`, 32));
  return { links: derive('review links v1'), signInCodes: derive('sign-in codes v1'), signInBrowsers: derive('sign-in browsers v1') };
}
