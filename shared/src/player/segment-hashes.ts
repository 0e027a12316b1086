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
  readonly #base: URL;

  constructor(masterUrl: string, hashes: SegmentHashes) {
    this.#base = new URL('.', masterUrl);
    this.add(hashes);
  }

  /** Adds entries (a live broadcast's list grows as segments arrive). */
  add(hashes: SegmentHashes): void {
    for (const [relative, hash] of Object.entries(hashes)) {
      this.#byPath.set(new URL(relative, this.#base).pathname, hash.toLowerCase());
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

async function fetchSegmentHashes(url: string, signal?: AbortSignal, fresh = false): Promise<SegmentHashes> {
  const response = await fetch(url, { signal: signal ?? null, credentials: 'same-origin', ...(fresh ? { cache: 'no-cache' as const } : {}) });
  if (!response.ok) throw new Error(`segment hash list ${url} answered HTTP ${response.status}`);
  const parsed = segmentHashesSchema.safeParse(await response.json());
  if (!parsed.success) throw new Error(`segment hash list ${url} is not a { path: sha256 } object`);
  return parsed.data;
}

/** Downloads and parses the hash list; throws with a readable message on HTTP or format errors. */
export async function loadSegmentHashes(url: string, masterUrl: string, signal?: AbortSignal): Promise<SegmentHashIndex> {
  return new SegmentHashIndex(masterUrl, await fetchSegmentHashes(url, signal));
}

/**
 * The hash list of a live broadcast: the origin rewrites it (the segments of the window) before a
 * segment appears in a playlist, so a segment it does not know yet is looked up again (at most once
 * per `minRefreshMs`) before being called unknown.
 */
export class LiveSegmentHashes {
  #refreshing: Promise<void> | null = null;
  #lastRefreshAt = 0;

  private constructor(
    readonly index: SegmentHashIndex,
    private readonly url: string,
    private readonly signal: AbortSignal | undefined,
    private readonly minRefreshMs: number,
  ) {}

  static async load(url: string, masterUrl: string, signal?: AbortSignal, minRefreshMs = 250): Promise<LiveSegmentHashes> {
    const live = new LiveSegmentHashes(new SegmentHashIndex(masterUrl, await fetchSegmentHashes(url, signal, true)), url, signal, minRefreshMs);
    live.#lastRefreshAt = performance.now();
    return live;
  }

  async check(segmentUrl: string, data: ArrayBuffer, isByteRange = false): Promise<SegmentCheck> {
    if (!this.index.expectedHash(segmentUrl) && !isByteRange) await this.#refresh();
    return this.index.check(segmentUrl, data, isByteRange);
  }

  async #refresh(): Promise<void> {
    if (!this.#refreshing) {
      const wait = Math.max(0, this.#lastRefreshAt + this.minRefreshMs - performance.now());
      this.#refreshing = new Promise<void>((resolve) => setTimeout(resolve, wait))
        .then(() => fetchSegmentHashes(this.url, this.signal, true))
        .then((hashes) => this.index.add(hashes))
        .catch(() => undefined)
        .finally(() => {
          this.#lastRefreshAt = performance.now();
          this.#refreshing = null;
        });
    }
    return this.#refreshing;
  }
}
