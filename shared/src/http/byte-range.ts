/** An inclusive byte range of a representation, as HTTP `Range: bytes=start-end` means it. */
export interface ByteRange {
  start: number;
  end: number;
}

/**
 * What to do with a request's `Range` header for a representation of `size` bytes (RFC 9110 §14):
 *
 * - a {@link ByteRange}: answer 206 with `Content-Range: ` {@link contentRange}`(range, size)`;
 * - `'unsatisfiable'`: answer 416 with `Content-Range: ` {@link unsatisfiedRange}`(size)`. That is a valid
 *   single range that selects nothing: `first-pos >= size` (`bytes=100-` of 100 bytes, any int-range of an
 *   empty file) or the zero-length suffix `bytes=-0` (§14.1.1: "a suffix-range is satisfiable if it has a
 *   non-zero suffix-length");
 * - `null`: ignore the header and answer 200 with the whole representation. That is no header, a unit other
 *   than `bytes` (§14.2: an origin MUST ignore units it does not understand), an invalid ranges-specifier
 *   (§14.2: a server MAY ignore it), and requests for several ranges (we serve single ranges only; §14.2
 *   allows ignoring Range). Invalid means not the grammar of §14.1.2: `bytes=-` (a suffix-length needs at
 *   least one digit), `bytes=20-10` (last-pos below first-pos), `bytes=abc`, `bytes=`.
 *   A non-zero suffix of an empty file is satisfiable but selects no bytes, which a 206 cannot express,
 *   so it gets the whole (empty) representation too.
 *
 * Browser-safe; used by the origin's /media routes and the studio's preview server.
 */
export function parseByteRange(header: string | null | undefined, size: number): ByteRange | 'unsatisfiable' | null {
  if (!header) return null;
  const equals = header.indexOf('=');
  if (equals === -1) return null;
  // Range units are case-insensitive (§14.1); OWS may surround list elements and empty elements are allowed (§5.6.1).
  if (header.slice(0, equals).trim().toLowerCase() !== 'bytes') return null;
  const specs = header
    .slice(equals + 1)
    .split(',')
    .map((spec) => spec.trim())
    .filter((spec) => spec !== '');
  if (specs.length !== 1) return null;
  const match = /^(?:(\d+)-(\d*)|-(\d+))$/.exec(specs[0] ?? '');
  if (!match) return null;
  const [, firstText, lastText, suffixText] = match;
  if (suffixText !== undefined) {
    const suffixLength = Number(suffixText);
    if (suffixLength === 0) return 'unsatisfiable';
    if (size === 0) return null;
    return { start: Math.max(0, size - suffixLength), end: size - 1 };
  }
  const start = Number(firstText);
  const last = lastText === '' || lastText === undefined ? null : Number(lastText);
  if (last !== null && last < start) return null;
  if (start >= size) return 'unsatisfiable';
  return { start, end: last === null ? size - 1 : Math.min(last, size - 1) };
}

/** The `Content-Range` value of a 206: `bytes 0-99/1000`. */
export function contentRange(range: ByteRange, size: number): string {
  return `bytes ${range.start}-${range.end}/${size}`;
}

/** The `Content-Range` value of a 416, which tells the client the size (§14.4): `bytes *` then `/size`. */
export function unsatisfiedRange(size: number): string {
  return `bytes */${size}`;
}
