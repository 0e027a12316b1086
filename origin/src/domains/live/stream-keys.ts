import { createHash, randomBytes } from 'node:crypto';

/** A new stream key: 256 random bits, shown to the creator once. */
export function newStreamKey(): string {
  return randomBytes(32).toString('base64url');
}

/** What is stored of a key: its SHA-256 (a 256-bit random key needs no slow hash). */
export function hashStreamKey(key: string): string {
  return createHash('sha256').update(key).digest('hex');
}

/** A stream key from `Authorization: Bearer <key>`, or null. */
export function bearerKey(header: string | string[] | undefined): string | null {
  const value = Array.isArray(header) ? header[0] : header;
  const match = /^Bearer\s+([A-Za-z0-9_-]{20,200})\s*$/i.exec(value ?? '');
  return match ? match[1]! : null;
}
