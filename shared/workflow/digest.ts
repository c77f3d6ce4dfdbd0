import { createHash } from 'node:crypto';
import canonicalize from 'canonicalize';

/** sha256 of RFC 8785 canonical JSON: the one way the workflow fingerprints content and events. */

export function canonicalJson(value: unknown): string {
  const json = canonicalize(value);
  if (json === undefined) throw new TypeError('value has no JSON form');
  return json;
}

export function sha256Hex(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

export function contentSha256(content: unknown): string {
  return sha256Hex(canonicalJson(content));
}
