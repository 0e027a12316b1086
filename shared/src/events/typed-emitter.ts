/** A listener of one event: gets the payload its event map names. */
export type Listener<T> = (payload: T) => void;

/**
 * A minimal typed event emitter (the shape of hls.js `src/events.ts` and p2p-media-loader
 * `utils/event-target.ts`): the event map names each event and its payload, so `on('progress', …)` is
 * checked at compile time. Browser-safe (no `node:events`), so the player and renderer use it too.
 *
 * - Listeners are added and removed in pairs (`on`/`off`); `once` removes itself before it runs.
 * - `emit` calls the listeners registered when it starts, in order; a listener added meanwhile waits for the next emit.
 * - A listener that throws does not stop the others or the emitter's owner (a render loop, a job, a tracker
 *   socket handler): the error is handed to {@link TypedEmitter.onListenerError}, which rethrows it in a
 *   microtask so it still reaches the browser console or Node's `uncaughtException`.
 * - `has(event)` lets a hot path skip building a payload nobody listens to.
 *
 * Subclass it and call the protected `emit` (jobs, servers), or keep a {@link TypedEvents} private and
 * forward `on`/`off` (renderer, player).
 */
export class TypedEmitter<Events extends object> {
  readonly #listeners = new Map<keyof Events, Set<Listener<never>>>();

  on<K extends keyof Events>(event: K, listener: Listener<Events[K]>): this {
    let set = this.#listeners.get(event);
    if (set === undefined) {
      set = new Set();
      this.#listeners.set(event, set);
    }
    set.add(listener);
    return this;
  }

  off<K extends keyof Events>(event: K, listener: Listener<Events[K]>): this {
    const set = this.#listeners.get(event);
    if (set?.delete(listener) && set.size === 0) this.#listeners.delete(event);
    return this;
  }

  once<K extends keyof Events>(event: K, listener: Listener<Events[K]>): this {
    const wrapped: Listener<Events[K]> = (payload) => {
      this.off(event, wrapped);
      listener(payload);
    };
    return this.on(event, wrapped);
  }

  /** Whether anyone listens to `event`. */
  has(event: keyof Events): boolean {
    return this.#listeners.has(event);
  }

  /** Removes the listeners of `event`, or of every event (on `destroy()`). */
  removeAllListeners(event?: keyof Events): void {
    if (event === undefined) this.#listeners.clear();
    else this.#listeners.delete(event);
  }

  protected emit<K extends keyof Events>(event: K, payload: Events[K]): void {
    const set = this.#listeners.get(event);
    if (set === undefined) return;
    // One listener (the common case on hot paths) needs no snapshot of the set.
    if (set.size === 1) this.#call(set.values().next().value as Listener<Events[K]>, payload);
    else for (const listener of [...set]) this.#call(listener as Listener<Events[K]>, payload);
  }

  #call<T>(listener: Listener<T>, payload: T): void {
    try {
      listener(payload);
    } catch (error) {
      this.onListenerError(error);
    }
  }

  /** Where a listener's exception goes. Default: rethrown in a microtask, out of the emitter owner's way. */
  protected onListenerError(error: unknown): void {
    queueMicrotask(() => {
      throw error;
    });
  }
}

/** A {@link TypedEmitter} whose owner emits from outside: keep it private and forward `on`/`off`. */
export class TypedEvents<Events extends object> extends TypedEmitter<Events> {
  override emit<K extends keyof Events>(event: K, payload: Events[K]): void {
    super.emit(event, payload);
  }
}
