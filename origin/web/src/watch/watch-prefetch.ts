// The watch page's code (three.js, hls.js, the P2P engine) and its data (content details and the
// playback payload) are fetched together as soon as a /watch route is entered, instead of the data
// only once the code has arrived. This module is in the main bundle; it imports nothing heavy.
import { api, type RouterOutputs } from '../api/client.ts';
import { openSession, type Session } from './session-api.ts';

type Detail = RouterOutputs['content']['get'];
type Prefetched = { at: number; detail?: Promise<Detail>; session?: Promise<Session> };

/** A prefetched answer older than this is not used (the viewer came back later: resume may have moved). */
const MAX_AGE_MS = 15_000;
const prefetched = new Map<string, Prefetched>();

/** Starts loading the watch page's data for `id` (app.tsx starts its chunk at the same moment), once per visit. */
export function prefetchWatch(id: string, now = Date.now()): void {
  const existing = prefetched.get(id);
  if (existing && now - existing.at < MAX_AGE_MS) return;
  const entry: Prefetched = { at: now, detail: api.content.get.query({ id }), session: openSession(id) };
  // Failures surface where the page takes them; nothing is reported twice or left unhandled.
  entry.detail?.catch(() => undefined);
  entry.session?.catch(() => undefined);
  prefetched.set(id, entry);
}

/** Hands a prefetched request to the page once (a reload or a later visit fetches anew). */
export function takePrefetched<K extends 'detail' | 'session'>(id: string, key: K, now = Date.now()): Prefetched[K] | undefined {
  const entry = prefetched.get(id);
  if (!entry) return undefined;
  const value = entry[key];
  delete entry[key];
  if (!entry.detail && !entry.session) prefetched.delete(id);
  return now - entry.at < MAX_AGE_MS ? value : undefined;
}
