// The origin's emergency alerts, for the studio's banner: the engine follows the real-time channel
// (server-sent events of `realtime.events`) of the origin it is signed in to, and yields the alerts in
// force after every change. Plain fetch and an SSE parser: no EventSource in Node.
import { realtimeEventSchema, type Alert } from '@spherecast/shared';

/** How long to wait before reconnecting after the stream closed or failed, and before re-checking the sign-in. */
const RETRY_MS = 3000;

const sleep = (ms: number, signal: AbortSignal) =>
  new Promise<void>((resolve) => {
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });

/**
 * Yields the alerts in force (started, not expired or ended) on the origin `originUrl()` names,
 * whenever they change; `[]` while signed out. Reconnects with the last event id after a drop, and
 * follows a change of origin (sign-in elsewhere) at the next reconnect or within RETRY_MS.
 */
export async function* watchOriginAlerts(originUrl: () => string | null, signal: AbortSignal): AsyncGenerator<Alert[]> {
  let lastYielded = '';
  const alerts = new Map<string, Alert>();
  const current = (): Alert[] => {
    const now = Date.now();
    return [...alerts.values()].filter((a) => Date.parse(a.startsAt) <= now && Date.parse(a.expiresAt) > now);
  };
  let lastEventId: string | null = null;
  let following: string | null = null;
  while (!signal.aborted) {
    const url = originUrl();
    if (url !== following) {
      following = url;
      alerts.clear();
      lastEventId = null;
    }
    if (!url) {
      if (lastYielded !== '[]') yield [];
      lastYielded = '[]';
      await sleep(RETRY_MS, signal);
      continue;
    }
    const stream = new AbortController();
    const stop = () => stream.abort();
    signal.addEventListener('abort', stop, { once: true });
    // Sign-out or another origin: drop this stream.
    const watchdog = setInterval(() => originUrl() !== url && stream.abort(), RETRY_MS);
    try {
      const input = encodeURIComponent(JSON.stringify({ lastEventId }));
      const response = await fetch(`${url}/trpc/realtime.events?input=${input}`, { headers: { accept: 'text/event-stream' }, signal: stream.signal });
      if (!response.ok || !response.body) throw new Error(`the origin answered ${response.status}`);
      const decoder = new TextDecoder();
      let buffer = '';
      for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
        buffer += decoder.decode(chunk, { stream: true });
        let end: number;
        while ((end = buffer.indexOf('\n\n')) >= 0) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          let data = '';
          let kind = 'message';
          for (const line of block.split('\n')) {
            if (line.startsWith('data:')) data += line.slice(5).trimStart();
            else if (line.startsWith('event:')) kind = line.slice(6).trim();
            else if (line.startsWith('id:')) lastEventId = line.slice(3).trim();
          }
          if (kind !== 'message' || !data) continue;
          let parsed;
          try {
            parsed = realtimeEventSchema.safeParse(JSON.parse(data));
          } catch {
            continue;
          }
          if (!parsed.success) continue;
          const event = parsed.data;
          if (event.type === 'alert') alerts.set(event.alert.id, event.alert);
          else if (event.type === 'alert.ended') alerts.delete(event.alertId);
          else if (event.type !== 'ready') continue;
          const list = current();
          const key = JSON.stringify(list.map((a) => a.id));
          if (key !== lastYielded) {
            lastYielded = key;
            yield list;
          }
        }
      }
    } catch {
      // Closed, refused or unreachable: try again shortly (the banner keeps what it showed).
    } finally {
      clearInterval(watchdog);
      signal.removeEventListener('abort', stop);
      stream.abort();
    }
    await sleep(RETRY_MS, signal);
  }
}
