// Finds the raw JSON text of the values the tracker relays verbatim (each `offers[i].offer`, and
// `answer`), so they can be spliced into the outgoing message instead of being re-serialised:
// JSON.stringify of an SDP (long, full of \r\n escapes) is the most expensive step of an announce.
//
// Only ever run on text JSON.parse has already accepted, so the scanner can trust the grammar and
// only has to find boundaries. Like JSON.parse, the last of duplicate keys wins. Anything it does
// not expect (an escaped key, a count that does not match) returns null and the caller falls back
// to JSON.stringify of the parsed value.

const QUOTE = 34;
const BACKSLASH = 92;
const COMMA = 44;
const COLON = 58;
const OPEN_BRACE = 123;
const CLOSE_BRACE = 125;
const OPEN_BRACKET = 91;
const CLOSE_BRACKET = 93;

function skipWhitespace(text: string, i: number): number {
  let c = text.charCodeAt(i);
  while (c === 32 || c === 10 || c === 13 || c === 9) c = text.charCodeAt(++i);
  return i;
}

/** Index just past the string starting at `i` (a quote). Strings are skipped with indexOf. */
function skipString(text: string, i: number): number {
  let from = i + 1;
  for (;;) {
    const quote = text.indexOf('"', from);
    if (quote < 0) return -1;
    let backslashes = 0;
    for (let k = quote - 1; text.charCodeAt(k) === BACKSLASH; k--) backslashes++;
    if ((backslashes & 1) === 0) return quote + 1;
    from = quote + 1;
  }
}

/** Index just past the value starting at `i`. */
function skipValue(text: string, i: number): number {
  const c = text.charCodeAt(i);
  if (c === QUOTE) return skipString(text, i);
  if (c === OPEN_BRACE || c === OPEN_BRACKET) {
    let depth = 0;
    for (let j = i; j < text.length;) {
      const ch = text.charCodeAt(j);
      if (ch === QUOTE) {
        j = skipString(text, j);
        if (j < 0) return -1;
        continue;
      }
      if (ch === OPEN_BRACE || ch === OPEN_BRACKET) depth++;
      else if ((ch === CLOSE_BRACE || ch === CLOSE_BRACKET) && --depth === 0) return j + 1;
      j++;
    }
    return -1;
  }
  let j = i;
  for (let ch = text.charCodeAt(j); j < text.length && ch !== COMMA && ch !== CLOSE_BRACE && ch !== CLOSE_BRACKET && ch > 32; ch = text.charCodeAt(++j));
  return j;
}

/**
 * Calls `member(key, start, end)` for each member of the object starting at `i`; returns the
 * index past the object, or -1. Keys with escapes are reported as null (never matched).
 */
function forEachMember(text: string, i: number, member: (key: string | null, start: number, end: number) => boolean): number {
  if (text.charCodeAt(i) !== OPEN_BRACE) return -1;
  let j = skipWhitespace(text, i + 1);
  if (text.charCodeAt(j) === CLOSE_BRACE) return j + 1;
  for (;;) {
    if (text.charCodeAt(j) !== QUOTE) return -1;
    const keyEnd = skipString(text, j);
    if (keyEnd < 0) return -1;
    const raw = text.slice(j + 1, keyEnd - 1);
    const key = raw.includes('\\') ? null : raw;
    j = skipWhitespace(text, keyEnd);
    if (text.charCodeAt(j) !== COLON) return -1;
    const start = skipWhitespace(text, j + 1);
    const end = skipValue(text, start);
    if (end < 0 || !member(key, start, end)) return -1;
    j = skipWhitespace(text, end);
    const next = text.charCodeAt(j);
    if (next === CLOSE_BRACE) return j + 1;
    if (next !== COMMA) return -1;
    j = skipWhitespace(text, j + 1);
  }
}

export interface RawRelayValues {
  /** Raw text of `offers[i].offer`, in order (null where an element had none). */
  readonly offers: (string | null)[];
  /** Raw text of the top-level `answer`, if any. */
  readonly answer: string | null;
}

/** Raw JSON of the relayed values in a message JSON.parse accepted; null if anything is unexpected. */
export function rawRelayValues(text: string): RawRelayValues | null {
  let offersAt = -1;
  let offersEnd = -1;
  let answer: string | null = null;
  const top = forEachMember(text, skipWhitespace(text, 0), (key, start, end) => {
    if (key === 'offers') {
      offersAt = start;
      offersEnd = end;
    } else if (key === 'answer') answer = text.slice(start, end);
    return true;
  });
  if (top < 0) return null;
  const offers: (string | null)[] = [];
  if (offersAt >= 0 && text.charCodeAt(offersAt) === OPEN_BRACKET) {
    let j = skipWhitespace(text, offersAt + 1);
    if (text.charCodeAt(j) !== CLOSE_BRACKET) {
      for (;;) {
        let offer: string | null = null;
        const end = forEachMember(text, j, (key, start, valueEnd) => {
          if (key === 'offer') offer = text.slice(start, valueEnd);
          return true;
        });
        if (end < 0) return null;
        offers.push(offer);
        j = skipWhitespace(text, end);
        const next = text.charCodeAt(j);
        if (next === CLOSE_BRACKET) break;
        if (next !== COMMA) return null;
        j = skipWhitespace(text, j + 1);
      }
    }
    if (j + 1 !== offersEnd) return null;
  }
  return { offers, answer };
}
