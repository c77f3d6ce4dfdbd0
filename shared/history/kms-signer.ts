import { createHash, createPublicKey } from 'node:crypto';
import { GetPublicKeyCommand, SignCommand, type KMSClient } from '@aws-sdk/client-kms';
import type { Signer } from '../workflow/history-ports.js';

/**
 * The history key on AWS: an asymmetric KMS key (ECC_NIST_P256, SIGN_VERIFY) whose private half never leaves KMS.
 * KMS signs the SHA-256 digest (MessageType DIGEST: a raw message is limited to 4 KB, events carry whole reports),
 * which is the same ECDSA_SHA_256 signature over the message that `openssl dgst -sha256 -verify` checks.
 */
export class KmsSigner implements Signer {
  readonly keyId: string;
  private readonly client: KMSClient;
  private publicPem: Promise<string> | undefined;

  constructor(options: { client: KMSClient; keyId: string }) {
    this.client = options.client;
    this.keyId = options.keyId;
  }

  async sign(message: Buffer): Promise<Buffer> {
    const digest = createHash('sha256').update(message).digest();
    const out = await this.client.send(
      new SignCommand({ KeyId: this.keyId, Message: digest, MessageType: 'DIGEST', SigningAlgorithm: 'ECDSA_SHA_256' }),
    );
    if (out.Signature === undefined) throw new Error(`KMS returned no signature for ${this.keyId}`);
    return Buffer.from(out.Signature);
  }

  publicKeyPem(): Promise<string> {
    this.publicPem ??= this.client.send(new GetPublicKeyCommand({ KeyId: this.keyId })).then((out) => {
      if (out.PublicKey === undefined) throw new Error(`KMS returned no public key for ${this.keyId}`);
      return createPublicKey({ key: Buffer.from(out.PublicKey), format: 'der', type: 'spki' })
        .export({ format: 'pem', type: 'spki' })
        .toString();
    });
    return this.publicPem;
  }
}
