import { LIMITS } from '@spherecast/shared';

/** Most calls one tRPC batch request may carry (the player's httpBatchLink uses the same as maxItems). */
export const MAX_TRPC_BATCH = LIMITS.trpcBatchMax;

/** Deepest nesting of arrays and objects a JSON body may have; no API shape needs more than a few levels. */
export const MAX_JSON_DEPTH = 64;

/**
 * Whether `text` nests arrays/objects deeper than `maxDepth`, by one pass over the characters
 * (brackets inside strings do not count), without parsing it. Malformed JSON is left to the parser.
 */
export function jsonNestingDepthExceeds(text: string, maxDepth: number): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i += 1) {
    const code = text.charCodeAt(i);
    if (inString) {
      if (code === 0x5c /* \ */) i += 1;
      else if (code === 0x22 /* " */) inString = false;
    } else if (code === 0x22) {
      inString = true;
    } else if (code === 0x5b /* [ */ || code === 0x7b /* { */) {
      depth += 1;
      if (depth > maxDepth) return true;
    } else if (code === 0x5d /* ] */ || code === 0x7d /* } */) {
      depth -= 1;
    }
  }
  return false;
}
