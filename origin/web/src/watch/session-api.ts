// The streaming session: where to start (resume) and periodic position reports.
import type { PlaybackSession } from '@spherecast/shared';
import { rest } from '../api/client.ts';
import { viewerId } from '../api/viewer-id.ts';

export type Session = Omit<PlaybackSession, never>;

/** Opens (or resumes) a viewing session: `GET /api/streaming/{contentId}`. */
export function openSession(contentId: string, signal?: AbortSignal): Promise<Session> {
  if (signal?.aborted) return Promise.reject(new DOMException('aborted', 'AbortError'));
  return rest<Session>('GET', `/streaming/${encodeURIComponent(contentId)}`);
}

/**
 * Reports the position. `keepalive` lets the request outlive the page (pagehide, navigation away),
 * which a beacon cannot do with our headers.
 */
export async function sendHeartbeat(sessionId: string, positionSeconds: number, ended = false): Promise<void> {
  await fetch('/trpc/streaming.heartbeat', {
    method: 'POST',
    keepalive: true,
    credentials: 'same-origin',
    headers: { 'content-type': 'application/json', 'x-spherecast-viewer': viewerId() },
    body: JSON.stringify({ sessionId, positionSeconds: Math.max(0, positionSeconds), ...(ended ? { ended: true } : {}) }),
  });
}
