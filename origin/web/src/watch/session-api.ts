// The streaming session: where to start (resume) and periodic position reports.
import { api, type RouterInputs, type RouterOutputs } from '../api/client.ts';
import { viewerId } from '../api/viewer-id.ts';

export type Session = RouterOutputs['streaming']['start'];
type Heartbeat = RouterInputs['streaming']['heartbeat'];

/** Opens (or resumes) a viewing session (`GET /api/streaming/{id}` on the REST face). */
export function openSession(contentId: string): Promise<Session> {
  return api.streaming.start.query({ id: contentId });
}

/**
 * Fresh STUN/TURN servers for this viewing session (`GET /api/streaming/sessions/{sessionId}/ice-servers`):
 * the player asks before the TURN credentials of the payload expire (PlayerOptions.refreshIceServers).
 */
export async function freshIceServers(sessionId: string): Promise<RTCIceServer[]> {
  return (await api.streaming.iceServers.query({ sessionId })).iceServers;
}

/**
 * Reports the position. A plain tRPC POST with `keepalive`, so the last report outlives the page
 * (pagehide, navigation away); a beacon could not carry the viewer header.
 */
export async function sendHeartbeat(sessionId: string, positionSeconds: number, ended = false): Promise<void> {
  const input: Heartbeat = { sessionId, positionSeconds: Math.max(0, positionSeconds), ...(ended ? { ended: true } : {}) };
  const response = await fetch('/trpc/streaming.heartbeat', {
    method: 'POST',
    keepalive: true,
    credentials: 'same-origin',
    headers: { 'content-type': 'application/json', 'x-spherecast-viewer': viewerId() },
    body: JSON.stringify(input),
  });
  if (!response.ok) throw new Error(`heartbeat answered ${response.status}`);
}
