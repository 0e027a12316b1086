import { REALTIME_LIMITS, type Alert, type ReactionKind } from '@spherecast/shared';
import { contentTopic, GLOBAL_TOPIC, PRESENCE_TOPIC, SCHEDULED_ALERTS_TOPIC, type BusMessage, type EventBus } from './event-bus.ts';
import { RateLimitedError, WindowCounter } from './rate-limit.ts';

/** An origin that has not reported its viewers for this long is taken to be gone. */
const PRESENCE_STALE_MS = 30_000;
/** Each origin repeats its viewer counts this often (a new origin learns them, a gone one expires). */
const PRESENCE_REPEAT_MS = 10_000;
/** Viewer count changes are sent at most this often per origin. */
const PRESENCE_DEBOUNCE_MS = 1000;
/** Reactions are summed per content over this window, then sent as one event. */
const REACTION_TICK_MS = 1000;
/** How long a content's access row read for one subscription serves the others. */
const ACCESS_CACHE_MS = 5000;
const ACCESS_CACHE_MAX = 10_000;
/** setTimeout's longest delay; an alert further ahead is re-armed when this passes. */
const TIMER_MAX_MS = 2 ** 31 - 1;

/**
 * The state of the real-time channel in one origin process: open subscriptions per user (bounded),
 * viewers per content summed over every origin, reactions summed per second per broadcast, and the
 * chat and reaction rate limits. Built by createOrigin; `start()` and `destroy()` pair the timers.
 */
export class RealtimeHub {
  readonly #bus: EventBus;
  readonly #connections = new Map<string, number>();
  /** Open subscriptions per content in this process. */
  readonly #local = new Map<string, number>();
  /** Viewers per content per origin, from presence messages (this origin's included). */
  readonly #remote = new Map<string, { counts: Record<string, number>; at: number }>();
  readonly #lastSent = new Map<string, number>();
  readonly #reactions = new Map<string, Partial<Record<ReactionKind, number>>>();
  readonly chatLimit = new WindowCounter(REALTIME_LIMITS.chatMessagesPerWindow, REALTIME_LIMITS.chatWindowMs);
  readonly reactionLimit = new WindowCounter(REALTIME_LIMITS.reactionsPerSecond, 1000);
  #presenceDirty = false;
  readonly #viewersDirty = new Set<string>();
  #timers: NodeJS.Timeout[] = [];
  #unsubscribe: (() => void) | null = null;
  /** Alerts that start later, by id: each origin delivers them to its own pages at their start. */
  #upcomingCheckedAt = Number.NEGATIVE_INFINITY;
  readonly #contentRows = new Map<string, { at: number; row: Promise<unknown> }>();
  readonly #scheduled = new Map<string, { alert: Alert; timer: NodeJS.Timeout }>();

  constructor(
    bus: EventBus,
    private readonly log: (message: string, error?: unknown) => void = (message, error) => console.warn(message, error),
  ) {
    this.#bus = bus;
  }

  start(): void {
    const offs = [
      this.#bus.subscribe(PRESENCE_TOPIC, (message) => this.#onPresence(message)),
      this.#bus.subscribe(SCHEDULED_ALERTS_TOPIC, (message) => {
        if (message.event.type === 'alert') this.scheduleAlert(message.event.alert);
      }),
      this.#bus.subscribe(GLOBAL_TOPIC, (message) => {
        if (message.event.type === 'alert.ended') this.#unschedule(message.event.alertId);
      }),
    ];
    this.#unsubscribe = () => offs.forEach((off) => off());
    const every = (ms: number, run: () => void) => {
      const timer = setInterval(run, ms);
      timer.unref();
      this.#timers.push(timer);
    };
    every(PRESENCE_DEBOUNCE_MS, () => {
      if (this.#presenceDirty) void this.#sendPresence();
      const dirty = [...this.#viewersDirty];
      this.#viewersDirty.clear();
      for (const contentId of dirty) this.#sendViewers(contentId);
    });
    every(PRESENCE_REPEAT_MS, () => {
      this.#expireStale();
      void this.#sendPresence();
    });
    every(REACTION_TICK_MS, () => void this.#flushReactions());
  }

  async destroy(): Promise<void> {
    for (const timer of this.#timers) clearInterval(timer);
    this.#timers = [];
    for (const id of [...this.#scheduled.keys()]) this.#unschedule(id);
    this.#viewersDirty.clear();
    this.#unsubscribe?.();
    // Tell the other origins this one's viewers are gone.
    if (this.#local.size > 0) {
      this.#local.clear();
      await this.#sendPresence().catch(() => undefined);
    }
  }

  /**
   * Counts one open subscription for `key` (a user, or an address for anonymous viewers); throws a
   * RateLimitedError past REALTIME_LIMITS.subscriptionsPerUser. The returned function releases it.
   */
  acquireConnection(key: string): () => void {
    const open = this.#connections.get(key) ?? 0;
    if (open >= REALTIME_LIMITS.subscriptionsPerUser) {
      throw new RateLimitedError(
        `You have ${open} live connections open (the most is ${REALTIME_LIMITS.subscriptionsPerUser}). Close other tabs of Spherecast and reload.`,
        5,
      );
    }
    this.#connections.set(key, open + 1);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const left = (this.#connections.get(key) ?? 1) - 1;
      if (left <= 0) this.#connections.delete(key);
      else this.#connections.set(key, left);
    };
  }

  /** Open subscriptions of `key` in this process. */
  connectionsOf(key: string): number {
    return this.#connections.get(key) ?? 0;
  }

  /** A viewer opened the content's channel on this origin; the returned function is their leaving. */
  join(contentId: string): () => void {
    this.#local.set(contentId, (this.#local.get(contentId) ?? 0) + 1);
    this.#changed(contentId);
    let left = false;
    return () => {
      if (left) return;
      left = true;
      const count = (this.#local.get(contentId) ?? 1) - 1;
      if (count <= 0) this.#local.delete(contentId);
      else this.#local.set(contentId, count);
      this.#changed(contentId);
    };
  }

  /** Viewers of a content on every origin, as far as this origin knows. */
  viewers(contentId: string): number {
    let total = this.#local.get(contentId) ?? 0;
    for (const [originId, { counts }] of this.#remote) {
      if (originId !== this.#bus.originId) total += counts[contentId] ?? 0;
    }
    return total;
  }

  /**
   * Delivers an alert that starts later to this origin's pages at its start (server clock), unless it
   * is ended before. Idempotent per alert id: issueAlert announces it on the bus, and subscriptions
   * hand over the upcoming alerts they read (an origin started after the alert was issued).
   */
  scheduleAlert(alert: Alert): void {
    if (this.#scheduled.has(alert.id)) return;
    const arm = (): NodeJS.Timeout => {
      const timer = setTimeout(
        () => {
          const entry = this.#scheduled.get(alert.id);
          if (!entry) return;
          if (Date.parse(alert.startsAt) > Date.now()) {
            entry.timer = arm();
            return;
          }
          this.#scheduled.delete(alert.id);
          if (Date.parse(alert.expiresAt) > Date.now()) this.#bus.emitLocal(GLOBAL_TOPIC, { type: 'alert', alert });
        },
        Math.min(TIMER_MAX_MS, Math.max(0, Date.parse(alert.startsAt) - Date.now())),
      );
      timer.unref();
      return timer;
    };
    this.#scheduled.set(alert.id, { alert, timer: arm() });
  }

  /**
   * Whether a subscription should read the upcoming alerts from the database and hand them to
   * scheduleAlert: once per minute per origin (an origin started after an alert was issued).
   */
  takeUpcomingCheck(): boolean {
    const now = Date.now();
    if (now - this.#upcomingCheckedAt < 60_000) return false;
    this.#upcomingCheckedAt = now;
    return true;
  }

  /**
   * The row `load` reads for a content, shared by this origin's subscriptions for ACCESS_CACHE_MS:
   * a thousand subscriptions re-checking access when an alert wakes them all is one query, not a
   * thousand in front of the alert's delivery.
   */
  sharedContentRow<T>(contentId: string, load: () => Promise<T>): Promise<T> {
    const now = Date.now();
    const cached = this.#contentRows.get(contentId);
    if (cached && now - cached.at < ACCESS_CACHE_MS) return cached.row as Promise<T>;
    if (this.#contentRows.size >= ACCESS_CACHE_MAX) {
      for (const [id, entry] of this.#contentRows) if (now - entry.at >= ACCESS_CACHE_MS) this.#contentRows.delete(id);
      if (this.#contentRows.size >= ACCESS_CACHE_MAX) this.#contentRows.clear();
    }
    const row = load();
    // A failed read is not kept: the next subscription asks again.
    row.catch(() => this.#contentRows.delete(contentId));
    this.#contentRows.set(contentId, { at: now, row });
    return row;
  }

  /** Ids of alerts waiting for their start on this origin. */
  get scheduledAlertIds(): string[] {
    return [...this.#scheduled.keys()];
  }

  #unschedule(alertId: string): void {
    const entry = this.#scheduled.get(alertId);
    if (!entry) return;
    clearTimeout(entry.timer);
    this.#scheduled.delete(alertId);
  }

  /** Counts one reaction; it leaves with the next per-second tick of its content. */
  addReaction(contentId: string, kind: ReactionKind): void {
    const counts = this.#reactions.get(contentId) ?? {};
    counts[kind] = (counts[kind] ?? 0) + 1;
    this.#reactions.set(contentId, counts);
  }

  /** Sends the pending reaction sums now (the timer does it every second). */
  async flushReactions(): Promise<void> {
    await this.#flushReactions();
  }

  async #flushReactions(): Promise<void> {
    if (this.#reactions.size === 0) return;
    const pending = [...this.#reactions];
    this.#reactions.clear();
    await Promise.all(
      pending.map(([contentId, counts]) =>
        this.#bus.publish(contentTopic(contentId), { type: 'reactions', contentId, counts }, { persist: false }).catch((error: unknown) => {
          this.log('sending reactions failed', error);
        }),
      ),
    );
  }

  #changed(contentId: string): void {
    this.#presenceDirty = true;
    this.#emitViewers(contentId);
  }

  /**
   * Notes that the content's viewer count may have changed; this origin's subscribers hear the count
   * with the next second's tick. Coalesced: a thousand viewers joining in one second are one event to
   * each subscriber, not a thousand (each join telling every other subscriber grows as n²).
   */
  #emitViewers(contentId: string): void {
    this.#viewersDirty.add(contentId);
  }

  /** Tells this origin's subscribers of the content its viewer count, when it changed. */
  #sendViewers(contentId: string): void {
    const count = this.viewers(contentId);
    if (this.#lastSent.get(contentId) === count) return;
    if (count === 0) this.#lastSent.delete(contentId);
    else this.#lastSent.set(contentId, count);
    if (this.#bus.listenerCount(contentTopic(contentId)) > 0) this.#bus.emitLocal(contentTopic(contentId), { type: 'viewers', contentId, count });
  }

  async #sendPresence(): Promise<void> {
    this.#presenceDirty = false;
    const counts = Object.fromEntries(this.#local);
    // Only when there is something to say: an origin with no viewers that never had any stays quiet.
    if (Object.keys(counts).length === 0 && !this.#remote.has(this.#bus.originId)) return;
    try {
      await this.#bus.publish(PRESENCE_TOPIC, { type: 'presence', originId: this.#bus.originId, counts }, { persist: false });
    } catch (error) {
      this.log('sending viewer counts failed', error);
    }
  }

  #onPresence(message: BusMessage): void {
    if (message.event.type !== 'presence') return;
    const { originId, counts } = message.event;
    const previous = this.#remote.get(originId)?.counts ?? {};
    if (Object.keys(counts).length === 0) this.#remote.delete(originId);
    else this.#remote.set(originId, { counts, at: Date.now() });
    for (const contentId of new Set([...Object.keys(previous), ...Object.keys(counts)])) this.#emitViewers(contentId);
  }

  #expireStale(): void {
    const cutoff = Date.now() - PRESENCE_STALE_MS;
    for (const [originId, entry] of this.#remote) {
      if (originId === this.#bus.originId || entry.at >= cutoff) continue;
      this.#remote.delete(originId);
      for (const contentId of Object.keys(entry.counts)) this.#emitViewers(contentId);
    }
  }
}
