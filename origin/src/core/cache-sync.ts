import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { SearchCache } from './search-cache.ts';

/** The NOTIFY channel on which origins tell each other that their per-process caches are stale. */
export const CACHE_CHANNEL = 'spherecast_cache';
const RECONNECT_MS = 1000;

/**
 * Several origins on one PostgreSQL: each keeps search pages in memory (SearchCache), so a change
 * made through one origin (a video made private, deleted, published) must drop the pages of every
 * other one at once. Every invalidation is sent with `NOTIFY spherecast_cache`; every origin
 * `LISTEN`s on its own connection and drops its pages when another origin's notice arrives. A lost
 * connection is reopened, and the local cache is dropped then too (notices sent meanwhile are lost).
 */
export class CacheSync {
  readonly originId = randomUUID();
  readonly #url: string;
  readonly #onRemoteInvalidation: () => void;
  readonly #log: (message: string, error?: unknown) => void;
  #client: pg.Client | null = null;
  #sender: pg.Pool;
  #stopped = false;
  #retry: NodeJS.Timeout | undefined;

  constructor(url: string, options: { onRemoteInvalidation: () => void; log?: (message: string, error?: unknown) => void }) {
    this.#url = url;
    this.#onRemoteInvalidation = options.onRemoteInvalidation;
    this.#log = options.log ?? ((message, error) => console.warn(message, error));
    this.#sender = new pg.Pool({ connectionString: url, max: 1 });
    this.#sender.on('error', () => undefined);
  }

  async start(): Promise<void> {
    this.#stopped = false;
    await this.#listen();
  }

  async #listen(): Promise<void> {
    const client = new pg.Client({ connectionString: this.#url });
    client.on('notification', (message) => {
      if (message.channel === CACHE_CHANNEL && message.payload !== this.originId) this.#onRemoteInvalidation();
    });
    client.on('error', (error) => {
      this.#log('cache invalidation channel lost; reconnecting', error);
      this.#reconnect(client);
    });
    client.on('end', () => this.#reconnect(client));
    await client.connect();
    await client.query(`LISTEN ${CACHE_CHANNEL}`);
    this.#client = client;
  }

  #reconnect(client: pg.Client): void {
    if (this.#stopped || this.#client !== client) return;
    this.#client = null;
    void client.end().catch(() => undefined);
    // Notices sent while the connection was down are lost: assume something changed.
    this.#onRemoteInvalidation();
    this.#retry = setTimeout(() => {
      this.#listen().catch((error: unknown) => {
        this.#log('cache invalidation channel: reconnect failed', error);
        if (!this.#stopped) this.#retry = setTimeout(() => void this.#listen().catch(() => undefined), RECONNECT_MS);
      });
    }, RECONNECT_MS);
  }

  /** Tells the other origins to drop their caches. */
  publish(): void {
    this.#sender
      .query('SELECT pg_notify($1, $2)', [CACHE_CHANNEL, this.originId])
      .catch((error: unknown) => this.#log('cache invalidation notice failed', error));
  }

  async destroy(): Promise<void> {
    this.#stopped = true;
    clearTimeout(this.#retry);
    const client = this.#client;
    this.#client = null;
    await client?.end().catch(() => undefined);
    await this.#sender.end().catch(() => undefined);
  }
}

/**
 * A SearchCache whose invalidations reach every origin (through CacheSync, when there are several
 * on PostgreSQL). Every existing `invalidate()` call site is thereby cross-origin.
 */
export class SharedSearchCache<T> extends SearchCache<T> {
  #sync: CacheSync | null = null;

  /** Connects the cache to the other origins. */
  attach(sync: CacheSync): void {
    this.#sync = sync;
  }

  override invalidate(): void {
    super.invalidate();
    this.#sync?.publish();
  }

  /** Drops this origin's pages only (another origin's change). */
  invalidateLocal(): void {
    super.invalidate();
  }
}
