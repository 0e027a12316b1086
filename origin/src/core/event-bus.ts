import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { realtimeEventSchema, REALTIME_LIMITS, type RealtimeEvent } from '@spherecast/shared';
import { z } from 'zod';
import type { PrismaClient } from '../db/database.ts';

/** The NOTIFY channel every origin LISTENs on. */
export const EVENT_CHANNEL = 'spherecast_events';
/**
 * PostgreSQL refuses a NOTIFY payload of 8000 bytes or more; above this the payload is stored and
 * only its id is notified (readers fetch the row).
 */
export const NOTIFY_PAYLOAD_MAX = 7900;

/** Internal: one origin's open subscriptions per content, so every origin can sum viewer counts. */
const presenceSchema = z.object({
  type: z.literal('presence'),
  originId: z.string(),
  counts: z.record(z.string(), z.number().int().min(0)),
});
export type PresenceEvent = z.infer<typeof presenceSchema>;
const busEventSchema = z.union([realtimeEventSchema, presenceSchema]);
export type BusEvent = RealtimeEvent | PresenceEvent;

/** Topics: `global` (alerts), `presence` (between origins), `content:<id>` (chat, reactions, viewers of one content). */
export const GLOBAL_TOPIC = 'global';
export const PRESENCE_TOPIC = 'presence';
/** Between origins: an alert that starts later, for each origin's scheduler (no page listens here). */
export const SCHEDULED_ALERTS_TOPIC = 'alerts-scheduled';
export const contentTopic = (contentId: string): string => `content:${contentId}`;

/** One delivered event: `id` is its place in the event log when it was persisted (replayable), else null. */
export interface BusMessage {
  topic: string;
  id: string | null;
  event: BusEvent;
}
export type BusListener = (message: BusMessage) => void;

/** What travels in a NOTIFY: the message itself, or (too large) the id of its row. */
const wireSchema = z.union([z.object({ topic: z.string(), id: z.string().nullable(), event: busEventSchema }), z.object({ ref: z.string() })]);

/** How messages reach every origin: in this process (embedded PGlite), or LISTEN/NOTIFY (PostgreSQL). */
interface Transport {
  start(deliver: (wire: unknown) => void, onReconnect: () => void): Promise<void>;
  send(payload: string): Promise<void>;
  destroy(): Promise<void>;
}

class InProcessTransport implements Transport {
  #deliver: ((wire: unknown) => void) | null = null;
  start(deliver: (wire: unknown) => void): Promise<void> {
    this.#deliver = deliver;
    return Promise.resolve();
  }
  send(payload: string): Promise<void> {
    const deliver = this.#deliver;
    // Asynchronously, like NOTIFY: a publisher never runs its subscribers' code inside its own call.
    if (deliver) queueMicrotask(() => deliver(JSON.parse(payload)));
    return Promise.resolve();
  }
  destroy(): Promise<void> {
    this.#deliver = null;
    return Promise.resolve();
  }
}

/**
 * One dedicated connection LISTENs (the pool's connections come and go); NOTIFY goes through the
 * pool, so a notification reaches this origin's own listener as it reaches every other origin's.
 * A lost listening connection is reopened with backoff, and the bus then reads what it missed.
 */
class PostgresTransport implements Transport {
  #client: pg.Client | null = null;
  #destroyed = false;
  #retryTimer: NodeJS.Timeout | null = null;
  #deliver: (wire: unknown) => void = () => undefined;
  #onReconnect: () => void = () => undefined;

  constructor(
    private readonly url: string,
    private readonly prisma: PrismaClient,
    private readonly log: (message: string, error?: unknown) => void,
  ) {}

  async start(deliver: (wire: unknown) => void, onReconnect: () => void): Promise<void> {
    this.#deliver = deliver;
    this.#onReconnect = onReconnect;
    // The first connection must work: an origin that cannot listen would silently miss every event.
    this.#client = await this.#open();
  }

  async #open(): Promise<pg.Client> {
    const client = new pg.Client({ connectionString: this.url });
    client.on('notification', (message) => {
      if (message.channel !== EVENT_CHANNEL || !message.payload) return;
      try {
        this.#deliver(JSON.parse(message.payload));
      } catch (error) {
        this.log('a real-time notification was not JSON; dropped', error);
      }
    });
    client.on('error', (error) => this.log('the real-time LISTEN connection failed; reconnecting', error));
    client.on('end', () => {
      if (this.#client !== client || this.#destroyed) return;
      this.#client = null;
      this.#scheduleReconnect(0);
    });
    try {
      await client.connect();
      await client.query(`LISTEN ${EVENT_CHANNEL}`);
    } catch (error) {
      await client.end().catch(() => undefined);
      throw error;
    }
    return client;
  }

  async #reconnect(attempt: number): Promise<void> {
    let client: pg.Client;
    try {
      client = await this.#open();
    } catch {
      this.#scheduleReconnect(attempt + 1);
      return;
    }
    if (this.#destroyed) {
      await client.end().catch(() => undefined);
      return;
    }
    this.#client = client;
    this.#onReconnect();
  }

  #scheduleReconnect(attempt: number): void {
    if (this.#destroyed || this.#retryTimer) return;
    const delay = Math.min(5000, 250 * 2 ** attempt);
    this.#retryTimer = setTimeout(() => {
      this.#retryTimer = null;
      void this.#reconnect(attempt);
    }, delay);
  }

  async send(payload: string): Promise<void> {
    await this.prisma.$executeRawUnsafe('SELECT pg_notify($1, $2)', EVENT_CHANNEL, payload);
  }

  async destroy(): Promise<void> {
    this.#destroyed = true;
    if (this.#retryTimer) clearTimeout(this.#retryTimer);
    const client = this.#client;
    this.#client = null;
    await client?.end().catch(() => undefined);
  }
}

export interface EventBusOptions {
  prisma: PrismaClient;
  /** PostgreSQL URL: LISTEN/NOTIFY between origin processes. Without it (PGlite) events stay in this process. */
  postgresUrl?: string | undefined;
  /** Where delivery problems are reported. */
  log?: (message: string, error?: unknown) => void;
  now?: () => Date;
}

/**
 * The origin's event bus: publish an event on a topic, and every subscriber of that topic on every
 * origin process gets it. Persisted events get an id from the event log (RealtimeEvent), so a client
 * that reconnects with its last event id can be sent what it missed (`replay`).
 */
export class EventBus {
  /** This process among the origins (presence counts are per origin). */
  readonly originId = randomUUID();
  readonly #listeners = new Map<string, Set<BusListener>>();
  readonly #transport: Transport;
  readonly #prisma: PrismaClient;
  readonly #log: (message: string, error?: unknown) => void;
  readonly #now: () => Date;
  /** Newest persisted id delivered, to read what a lost LISTEN connection missed. */
  #lastPersistedId = 0n;
  #pruneTimer: NodeJS.Timeout | null = null;

  constructor(options: EventBusOptions) {
    this.#prisma = options.prisma;
    this.#log = options.log ?? ((message, error) => console.warn(message, error));
    this.#now = options.now ?? (() => new Date());
    this.#transport = options.postgresUrl ? new PostgresTransport(options.postgresUrl, options.prisma, this.#log) : new InProcessTransport();
  }

  /** Whether events cross process boundaries (PostgreSQL) or stay in this one (PGlite). */
  get distributed(): boolean {
    return this.#transport instanceof PostgresTransport;
  }

  async start(): Promise<void> {
    const newest = await this.#prisma.realtimeEvent.findFirst({ orderBy: { id: 'desc' }, select: { id: true } });
    this.#lastPersistedId = newest?.id ?? 0n;
    await this.#transport.start(
      (wire) => void this.#receive(wire),
      () => void this.#catchUp(),
    );
    // The log is for reconnects, not an archive: rows older than the replay window are dropped.
    this.#pruneTimer = setInterval(() => void this.prune(), 5 * 60_000);
    this.#pruneTimer.unref();
  }

  async destroy(): Promise<void> {
    if (this.#pruneTimer) clearInterval(this.#pruneTimer);
    await this.#transport.destroy();
    this.#listeners.clear();
  }

  /** Adds a listener of one topic; the returned function removes it. */
  subscribe(topic: string, listener: BusListener): () => void {
    let set = this.#listeners.get(topic);
    if (!set) this.#listeners.set(topic, (set = new Set()));
    set.add(listener);
    return () => {
      set.delete(listener);
      if (set.size === 0 && this.#listeners.get(topic) === set) this.#listeners.delete(topic);
    };
  }

  /** Listeners of a topic in this process. */
  listenerCount(topic: string): number {
    return this.#listeners.get(topic)?.size ?? 0;
  }

  /**
   * Sends an event to every subscriber of `topic` on every origin. `persist` stores it in the event
   * log first (chat, alerts: a reconnecting client gets it back); ephemeral events (reactions,
   * viewer counts) are only notified. Returns the event id, or null for an ephemeral event.
   */
  async publish(topic: string, event: BusEvent, options: { persist: boolean }): Promise<string | null> {
    const parsed = busEventSchema.parse(event);
    let id: string | null = null;
    if (options.persist) id = await this.#store(topic, parsed);
    let payload = JSON.stringify({ topic, id, event: parsed });
    if (Buffer.byteLength(payload) > NOTIFY_PAYLOAD_MAX) {
      id ??= await this.#store(topic, parsed);
      payload = JSON.stringify({ ref: id });
    }
    await this.#transport.send(payload);
    return id;
  }

  /** Delivers an event to this process's subscribers only (each origin computes viewer counts itself). */
  emitLocal(topic: string, event: BusEvent): void {
    this.#dispatch({ topic, id: null, event });
  }

  /** The newest id in the event log: a new subscriber's starting point. */
  async newestId(): Promise<string> {
    const newest = await this.#prisma.realtimeEvent.findFirst({ orderBy: { id: 'desc' }, select: { id: true } });
    return (newest?.id ?? 0n).toString();
  }

  /**
   * Persisted events of these topics after `afterId`, oldest first: at most REALTIME_LIMITS.replayMax
   * (the newest ones) and none older than the replay window.
   */
  async replay(topics: string[], afterId: string): Promise<BusMessage[]> {
    let after: bigint;
    try {
      after = BigInt(afterId);
    } catch {
      return [];
    }
    const rows = await this.#prisma.realtimeEvent.findMany({
      where: { topic: { in: topics }, id: { gt: after }, createdAt: { gt: new Date(this.#now().getTime() - REALTIME_LIMITS.replayWindowMs) } },
      orderBy: { id: 'desc' },
      take: REALTIME_LIMITS.replayMax,
      select: { id: true, topic: true, payload: true },
    });
    return rows.reverse().flatMap((row) => {
      const event = busEventSchema.safeParse(row.payload);
      return event.success ? [{ topic: row.topic, id: row.id.toString(), event: event.data }] : [];
    });
  }

  /** Drops log rows older than the replay window (twice over, for slow clocks). */
  async prune(): Promise<number> {
    try {
      const { count } = await this.#prisma.realtimeEvent.deleteMany({
        where: { createdAt: { lt: new Date(this.#now().getTime() - 2 * REALTIME_LIMITS.replayWindowMs) } },
      });
      return count;
    } catch (error) {
      this.#log('pruning the real-time event log failed', error);
      return 0;
    }
  }

  async #store(topic: string, event: BusEvent): Promise<string> {
    const row = await this.#prisma.realtimeEvent.create({ data: { topic, type: event.type, payload: event }, select: { id: true } });
    return row.id.toString();
  }

  async #receive(wire: unknown): Promise<void> {
    const parsed = wireSchema.safeParse(wire);
    if (!parsed.success) {
      this.#log('a real-time message did not match the event schema; dropped', parsed.error);
      return;
    }
    if ('ref' in parsed.data) {
      const row = await this.#prisma.realtimeEvent.findUnique({ where: { id: BigInt(parsed.data.ref) }, select: { id: true, topic: true, payload: true } });
      const event = row ? busEventSchema.safeParse(row.payload) : null;
      if (!row || !event?.success) return;
      this.#dispatch({ topic: row.topic, id: row.id.toString(), event: event.data });
      return;
    }
    this.#dispatch(parsed.data);
  }

  /** After the LISTEN connection came back: what was persisted meanwhile, in order. */
  async #catchUp(): Promise<void> {
    const rows = await this.#prisma.realtimeEvent.findMany({
      where: { id: { gt: this.#lastPersistedId } },
      orderBy: { id: 'asc' },
      take: 10_000,
      select: { id: true, topic: true, payload: true },
    });
    for (const row of rows) {
      const event = busEventSchema.safeParse(row.payload);
      if (event.success) this.#dispatch({ topic: row.topic, id: row.id.toString(), event: event.data });
    }
  }

  #dispatch(message: BusMessage): void {
    if (message.id !== null) {
      const id = BigInt(message.id);
      if (id > this.#lastPersistedId) this.#lastPersistedId = id;
    }
    const set = this.#listeners.get(message.topic);
    if (!set) return;
    for (const listener of [...set]) {
      try {
        listener(message);
      } catch (error) {
        this.#log('a real-time listener failed', error);
      }
    }
  }
}
