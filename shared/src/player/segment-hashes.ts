import { z } from 'zod';
import { sha256Hex } from './sha256.ts';

/**
 * The origin's segment hash list: `{ "<path relative to the master playlist's folder>": "<sha256 hex>" }`.
 */
export const segmentHashesSchema = z.record(z.string(), z.string().regex(/^[0-9a-f]{64}$/i));
export type SegmentHashes = z.infer<typeof segmentHashesSchema>;

export type SegmentCheck = 'valid' | 'mismatch' | 'unknown';

/**
 * Checks segment bytes against the published hash list. Keys are resolved against the master
 * playlist's folder, so the check works whatever host or absolute path the segments are fetched from.
 */
export class SegmentHashIndex {
  readonly #byPath = new Map<string, string>();

  /** @param masterUrl absolute URL of the master playlist the hash paths are relative to */
  constructor(masterUrl: string, hashes: SegmentHashes) {
    const base = new URL('.', masterUrl);
    for (const [relative, hash] of Object.entries(hashes)) {
      this.#byPath.set(new URL(relative, base).pathname, hash.toLowerCase());
    }
  }

  get size(): number {
    return this.#byPath.size;
  }

  expectedHash(segmentUrl: string): string | undefined {
    return this.#byPath.get(new URL(segmentUrl).pathname);
  }

  /**
   * 'unknown' when the list has no entry for the URL, or when only a byte range of a file was
   * received (the list hashes whole files).
   */
  async check(segmentUrl: string, data: ArrayBuffer, isByteRange = false): Promise<SegmentCheck> {
    const expected = this.expectedHash(segmentUrl);
    if (!expected || isByteRange) return 'unknown';
    return (await sha256Hex(data)) === expected ? 'valid' : 'mismatch';
  }
}

/** Downloads and parses the hash list; throws with a readable message on HTTP or format errors. */
export async function loadSegmentHashes(url: string, masterUrl: string, signal?: AbortSignal): Promise<SegmentHashIndex> {
  const response = await fetch(url, { signal: signal ?? null, credentials: 'same-origin' });
  if (!response.ok) throw new Error(`segment hash list ${url} answered HTTP ${response.status}`);
  const parsed = segmentHashesSchema.safeParse(await response.json());
  if (!parsed.success) throw new Error(`segment hash list ${url} is not a { path: sha256 } object`);
  return new SegmentHashIndex(masterUrl, parsed.data);
}
