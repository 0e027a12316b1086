// SHA-256 of peer segments. Web Crypto's `crypto.subtle` exists only in secure contexts (HTTPS,
// localhost); a player served over plain HTTP on a LAN still has to check what peers send, so there
// it falls back to @noble/hashes (audited, no dependencies) instead of a hand-written digest.
import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex } from '@noble/hashes/utils.js';

/**
 * Hex SHA-256 of `data`: through Web Crypto when the page has it, else @noble/hashes.
 * `subtle` defaults to the page's `crypto.subtle` (`null` forces the fallback, as an insecure context does).
 */
export async function sha256Hex(data: ArrayBuffer | Uint8Array<ArrayBuffer>, subtle: SubtleCrypto | null = globalThis.crypto?.subtle ?? null): Promise<string> {
  if (subtle) return bytesToHex(new Uint8Array(await subtle.digest('SHA-256', data)));
  return bytesToHex(sha256(data instanceof Uint8Array ? data : new Uint8Array(data)));
}
