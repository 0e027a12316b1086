// The WebTorrent tracker protocol carries 20-byte ids (info_hash, peer_id, offer_id) as "binary
// strings": one JS character per byte (code 0-255), JSON-encoded. See bittorrent-tracker
// lib/server/parse-websocket.js and the client's hex2bin/bin2hex.

/** Length of every id on the wire. */
export const ID_LENGTH = 20;

/** True for a 20-character string whose characters are all bytes (code ≤ 0xff). */
export function isBinaryId(value: unknown): value is string {
  if (typeof value !== 'string' || value.length !== ID_LENGTH) return false;
  for (let i = 0; i < ID_LENGTH; i++) if (value.charCodeAt(i) > 0xff) return false;
  return true;
}

const HEX = Array.from({ length: 256 }, (_, byte) => byte.toString(16).padStart(2, '0'));

/** Binary string → lowercase hex (40 characters for an id). */
export function binaryToHex(binary: string): string {
  let hex = '';
  for (let i = 0; i < binary.length; i++) hex += HEX[binary.charCodeAt(i) & 0xff];
  return hex;
}

/** Lowercase or uppercase hex → binary string. */
export function hexToBinary(hex: string): string {
  let binary = '';
  for (let i = 0; i + 1 < hex.length; i += 2) binary += String.fromCharCode(Number.parseInt(hex.slice(i, i + 2), 16));
  return binary;
}
