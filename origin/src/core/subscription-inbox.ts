import type { BusMessage } from './event-bus.ts';

/**
 * A bounded queue of bus messages that one subscription (an SSE stream) waits on. A subscriber more
 * than `max` messages behind is overflowed: its stream ends and the client reconnects with its last
 * event id, getting the persisted events replayed.
 */
export class SubscriptionInbox {
  readonly #items: BusMessage[] = [];
  readonly #max: number;
  #wake: (() => void) | null = null;
  overflowed = false;

  constructor(max: number) {
    this.#max = max;
  }

  push(message: BusMessage): void {
    if (this.#items.length >= this.#max) this.overflowed = true;
    else this.#items.push(message);
    this.#wake?.();
  }

  /** The next message; null when the signal aborted or the queue overflowed; 'timeout' after `timeoutMs` of quiet. */
  async next(signal: AbortSignal | undefined, timeoutMs: number): Promise<BusMessage | null | 'timeout'> {
    for (;;) {
      if (signal?.aborted || this.overflowed) return null;
      const item = this.#items.shift();
      if (item) return item;
      const woke = await new Promise<boolean>((resolve) => {
        // Every way out removes the abort listener: a quiet subscription waits here many times.
        const finish = (woken: boolean) => {
          clearTimeout(timer);
          signal?.removeEventListener('abort', done);
          this.#wake = null;
          resolve(woken);
        };
        const done = () => finish(true);
        const timer = setTimeout(() => finish(false), timeoutMs);
        this.#wake = done;
        signal?.addEventListener('abort', done, { once: true });
      });
      if (!woke) return 'timeout';
    }
  }
}
