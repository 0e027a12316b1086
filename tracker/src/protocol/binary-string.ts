// The WebTorrent tracker protocol carries 20-byte ids (info_hash, peer_id, offer_id) as "binary
// strings": one JS character per byte (code 0-255), JSON-encoded. See bittorrent-tracker
// lib/server/parse-websocket.js and the client's hex2bin/bin2hex.

/** Length of every id on the wire. */
export const ID_LENGTH = 20;

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

// ---- Wire strings --------------------------------------------------------------------------
// The tracker reads and writes messages as "wire strings": one JS character per byte of the
// UTF-8 frame (a latin1 view). Decoding UTF-8 properly costs more than the rest of an announce
// when a message carries binary ids; a latin1 view is a plain copy, and everything the tracker
// relays (SDP offers and answers) passes through byte for byte. Only the ids are decoded, here.
// Frames are still checked to be valid UTF-8 before they get this far.

/**
 * Decodes an id as it appears in a wire string (UTF-8 bytes as characters) into the binary string
 * the client meant; null unless that is exactly 20 characters ≤ 0xff. A character ≥ 0x80 that is
 * not a UTF-8 pair came from a `\u00XX` escape and is taken as itself.
 */
export function wireToBinaryId(value: unknown): string | null {
  if (typeof value !== 'string' || value.length < ID_LENGTH || value.length > 2 * ID_LENGTH) return null;
  let ascii = true;
  for (let i = 0; i < value.length; i++) {
    if (value.charCodeAt(i) >= 0x80) {
      ascii = false;
      break;
    }
  }
  if (ascii) return value.length === ID_LENGTH ? value : null;
  const codes: number[] = [];
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    const next = value.charCodeAt(i + 1); // NaN past the end
    if ((c === 0xc2 || c === 0xc3) && next >= 0x80 && next <= 0xbf) {
      codes.push(((c & 0x03) << 6) | (next & 0x3f));
      i++;
    } else if (c <= 0xff) codes.push(c);
    else return null;
  }
  return codes.length === ID_LENGTH ? String.fromCharCode(...codes) : null;
}

/** A JS string as a wire string: its UTF-8 bytes, one character each. */
export function toWire(text: string): string {
  for (let i = 0; i < text.length; i++) if (text.charCodeAt(i) >= 0x80) return Buffer.from(text, 'utf8').toString('latin1');
  return text;
}
