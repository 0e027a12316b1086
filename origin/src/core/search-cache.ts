/**
 * Caches search result pages and lets concurrent identical searches share one database query.
 * A page is fresh for `ttlMs`; for `staleMs` after that it is still served while one background
 * refresh runs, so under load no viewer waits on the database for a search someone made recently.
 * Any change to what search can show (content created, edited, deleted, published) calls
 * {@link invalidate}, which drops every page at once: a video made private or deleted leaves results
 * immediately. Counters (views, likes) may lag by up to `ttlMs + staleMs`.
 */
export class SearchCache<T> {
  private readonly entries = new Map<string, { value: Promise<T>; loadedAt: number; refreshing: boolean }>();
  private generation = 0;

  constructor(
    /** How long a page is fresh. Default 30 s; 0 disables the cache. */
    private readonly ttlMs = 30_000,
    /** How long after that a stale page may still be served while it is refreshed. Default 270 s. */
    private readonly staleMs = 270_000,
    /** Most pages kept; the least recently loaded go first. */
    private readonly maxEntries = 5_000,
    private readonly now: () => number = Date.now,
  ) {}

  get enabled(): boolean {
    return this.ttlMs > 0;
  }

  async get(key: string, load: () => Promise<T>): Promise<T> {
    if (!this.enabled) return load();
    const time = this.now();
    const fullKey = `${this.generation}:${key}`;
    const entry = this.entries.get(fullKey);
    if (entry) {
      const age = time - entry.loadedAt;
      if (age < this.ttlMs) return entry.value;
      if (age < this.ttlMs + this.staleMs) {
        if (!entry.refreshing) this.refresh(fullKey, entry, load);
        return entry.value;
      }
      this.entries.delete(fullKey);
    }
    return this.store(fullKey, load(), time);
  }

  invalidate(): void {
    this.generation += 1;
    this.entries.clear();
  }

  private store(fullKey: string, value: Promise<T>, loadedAt: number): Promise<T> {
    this.entries.set(fullKey, { value, loadedAt, refreshing: false });
    // A failed load must not be served to the next caller.
    value.catch(() => {
      if (this.entries.get(fullKey)?.value === value) this.entries.delete(fullKey);
    });
    if (this.entries.size > this.maxEntries) {
      const oldest = this.entries.keys().next().value;
      if (oldest !== undefined) this.entries.delete(oldest);
    }
    return value;
  }

  private refresh(fullKey: string, entry: { refreshing: boolean }, load: () => Promise<T>): void {
    entry.refreshing = true;
    const generation = this.generation;
    void load().then(
      (value) => {
        // Only if nothing invalidated the cache meanwhile; re-inserting keeps eviction order by load time.
        if (generation !== this.generation) return;
        this.entries.delete(fullKey);
        void this.store(fullKey, Promise.resolve(value), this.now());
      },
      () => {
        entry.refreshing = false;
      },
    );
  }
}
