/**
 * A minimal typed event emitter: `on`/`off` pairs keyed by an event map
 * (the shape of hls.js `src/events.ts` and p2p-media-loader `utils/event-target.ts`).
 * Listener errors are isolated so one bad listener cannot break the emitter's owner.
 */
export type Listener<T> = (payload: T) => void;

export class TypedEvents<TMap extends Record<string, unknown>> {
  readonly #listeners = new Map<keyof TMap, Set<Listener<never>>>();

  on<K extends keyof TMap>(event: K, fn: Listener<TMap[K]>): void {
    let set = this.#listeners.get(event);
    if (!set) {
      set = new Set();
      this.#listeners.set(event, set);
    }
    set.add(fn as Listener<never>);
  }

  off<K extends keyof TMap>(event: K, fn: Listener<TMap[K]>): void {
    this.#listeners.get(event)?.delete(fn as Listener<never>);
  }

  emit<K extends keyof TMap>(event: K, payload: TMap[K]): void {
    const set = this.#listeners.get(event);
    if (!set) return;
    for (const fn of [...set]) {
      try {
        (fn as Listener<TMap[K]>)(payload);
      } catch (error) {
        // A listener's bug must not stop the render loop or the player; surface it asynchronously.
        queueMicrotask(() => {
          throw error;
        });
      }
    }
  }

  clear(): void {
    this.#listeners.clear();
  }
}
