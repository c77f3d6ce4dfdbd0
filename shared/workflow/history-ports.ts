/**
 * The two things that make a report's history trustworthy without trusting the table: a key that signs each event
 * (the table never holds it) and a write-once record of each chain head (the table cannot rewrite it). Adapters:
 * shared/history/*.
 */

export interface Signer {
  /** names the key in each signature (a KMS key ARN, or `local:<fingerprint>`) */
  readonly keyId: string;
  /** ECDSA P-256 over SHA-256 of `message`, DER-encoded */
  sign(message: Buffer): Promise<Buffer>;
  /** the public half, PEM (SubjectPublicKeyInfo), as published on the site */
  publicKeyPem(): Promise<string>;
}

/** A chain head: the last event's sequence number and hash. */
export interface ChainHead {
  readonly reportId: string;
  readonly seq: number;
  readonly hash: string;
}

export interface Anchors {
  /** writes the head once; writing the same head again is a no-op, a different hash for that seq is refused */
  record(head: ChainHead): Promise<void>;
  /** the head anchored at exactly this seq, if any */
  at(reportId: string, seq: number): Promise<ChainHead | undefined>;
}

/** What verifying a history needs besides the events. */
export interface HistoryTrust {
  readonly publicKeyPem: () => Promise<string>;
  readonly anchors: Pick<Anchors, 'at'>;
}

/** What writing a history needs: the same, plus the private key. */
export interface HistoryKeys extends HistoryTrust {
  readonly signer: Signer;
  readonly anchors: Anchors;
}
