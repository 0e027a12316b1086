import { realtimeEventSchema, type RealtimeEvent } from '@spherecast/shared';

/** One server-sent event as it came over the wire. */
export interface SseFrame {
  event: string;
  id: string | null;
  data: string;
}

/**
 * A plain SSE client of `realtime.events` (fetch and a text parser, no tRPC client), for tests and
 * the benchmark: what any EventSource would see. `events` collects the typed events; `waitFor`
 * resolves when one matches.
 */
export class RealtimeSseClient {
  readonly frames: SseFrame[] = [];
  readonly events: { id: string | null; event: RealtimeEvent; at: number }[] = [];
  status = 0;
  lastEventId: string | null = null;
  readonly #controller = new AbortController();
  #waiters: { match: (event: RealtimeEvent) => boolean; resolve: (event: RealtimeEvent) => void }[] = [];
  #closed: Promise<void> = Promise.resolve();
  /** Text of a non-200 answer. */
  errorBody = '';

  constructor(
    readonly baseUrl: string,
    readonly input: { contentId?: string; lastEventId?: string | null },
    readonly headers: Record<string, string> = {},
  ) {}

  /** Resolves once the answer's headers arrived (check `status`). */
  async open(): Promise<void> {
    const url = `${this.baseUrl}/trpc/realtime.events?input=${encodeURIComponent(JSON.stringify(this.input))}`;
    const response = await fetch(url, { headers: { accept: 'text/event-stream', ...this.headers }, signal: this.#controller.signal });
    this.status = response.status;
    if (!response.ok || !response.body) {
      this.errorBody = await response.text();
      return;
    }
    this.#closed = this.#read(response.body).catch(() => undefined);
  }

  async #read(body: ReadableStream<Uint8Array>): Promise<void> {
    const decoder = new TextDecoder();
    let buffer = '';
    for await (const chunk of body) {
      buffer += decoder.decode(chunk, { stream: true });
      let end: number;
      while ((end = buffer.indexOf('\n\n')) >= 0) {
        const block = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        const frame: SseFrame = { event: 'message', id: null, data: '' };
        for (const line of block.split('\n')) {
          const colon = line.indexOf(':');
          if (colon <= 0) continue;
          const field = line.slice(0, colon);
          const value = line.slice(colon + 1).replace(/^ /, '');
          if (field === 'event') frame.event = value;
          else if (field === 'id') frame.id = value;
          else if (field === 'data') frame.data += frame.data ? `\n${value}` : value;
        }
        this.frames.push(frame);
        if (frame.event !== 'message') continue;
        if (frame.id) this.lastEventId = frame.id;
        const parsed = realtimeEventSchema.safeParse(JSON.parse(frame.data));
        if (!parsed.success) continue;
        this.events.push({ id: frame.id, event: parsed.data, at: performance.now() });
        this.#waiters = this.#waiters.filter((waiter) => {
          if (!waiter.match(parsed.data)) return true;
          waiter.resolve(parsed.data);
          return false;
        });
      }
    }
  }

  /** The first event (already received or to come) that matches, within `timeoutMs`. */
  waitFor<T extends RealtimeEvent>(match: (event: RealtimeEvent) => event is T, timeoutMs?: number): Promise<T>;
  waitFor(match: (event: RealtimeEvent) => boolean, timeoutMs?: number): Promise<RealtimeEvent>;
  waitFor(match: (event: RealtimeEvent) => boolean, timeoutMs = 20_000): Promise<RealtimeEvent> {
    const seen = this.events.find((entry) => match(entry.event));
    if (seen) return Promise.resolve(seen.event);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`no matching event within ${timeoutMs} ms; got ${JSON.stringify(this.events.map((e) => e.event))}`)),
        timeoutMs,
      );
      this.#waiters.push({
        match,
        resolve: (event) => {
          clearTimeout(timer);
          resolve(event);
        },
      });
    });
  }

  async close(): Promise<void> {
    this.#controller.abort();
    await this.#closed;
  }
}
