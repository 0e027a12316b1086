import { PARTY_LIMITS, type PartyView } from '@spherecast/shared';
import type { EventBus } from './event-bus.ts';
import { WindowCounter } from './rate-limit.ts';

/** The bus topic of one watch party: only its members' subscriptions listen to it. */
export const partyTopic = (partyId: string): string => `party:${partyId}`;

/** How long a checked membership serves the view updates that follow (a member sends up to 5 a second). */
const MEMBERSHIP_CACHE_MS = 5000;
const MEMBERSHIP_CACHE_MAX = 20_000;

/**
 * The watch parties' state in one origin process (#15): their rate limits, a short cache of checked
 * memberships, and the view directions waiting for the next tick. Views are coalesced: whatever a
 * member sent during one tick (PARTY_LIMITS.viewTickMs), only the newest direction goes out, in one
 * event per party per tick, so twenty members looking around are not a hundred messages a second
 * to each of them. Built by createOrigin; `start()` and `destroy()` pair the timer.
 */
export class PartyHub {
  readonly viewLimit = new WindowCounter(PARTY_LIMITS.viewsPerSecond, 1000);
  readonly controlLimit = new WindowCounter(PARTY_LIMITS.controlsPerWindow, PARTY_LIMITS.controlWindowMs);
  readonly chatLimit = new WindowCounter(PARTY_LIMITS.chatMessagesPerWindow, PARTY_LIMITS.chatWindowMs);
  readonly #bus: EventBus;
  readonly #members = new Map<string, number>();
  readonly #pendingViews = new Map<string, Map<string, PartyView>>();
  #timer: NodeJS.Timeout | null = null;

  constructor(
    bus: EventBus,
    private readonly log: (message: string, error?: unknown) => void = (message, error) => console.warn(message, error),
  ) {
    this.#bus = bus;
  }

  start(): void {
    if (this.#timer) return;
    this.#timer = setInterval(() => void this.flushViews(), PARTY_LIMITS.viewTickMs);
    this.#timer.unref();
  }

  destroy(): Promise<void> {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = null;
    this.#pendingViews.clear();
    this.#members.clear();
    return Promise.resolve();
  }

  /** Whether `userId`'s membership of `partyId` was confirmed within the last few seconds. */
  knownMember(partyId: string, userId: string): boolean {
    const key = `${partyId}:${userId}`;
    const at = this.#members.get(key);
    if (at === undefined) return false;
    if (Date.now() - at > MEMBERSHIP_CACHE_MS) {
      this.#members.delete(key);
      return false;
    }
    return true;
  }

  rememberMember(partyId: string, userId: string): void {
    this.#members.set(`${partyId}:${userId}`, Date.now());
    if (this.#members.size > MEMBERSHIP_CACHE_MAX) {
      const oldest = this.#members.keys().next().value;
      if (oldest !== undefined) this.#members.delete(oldest);
    }
  }

  /** A member left or was removed: the next view update checks the database again. */
  forgetMember(partyId: string, userId: string): void {
    this.#members.delete(`${partyId}:${userId}`);
  }

  /** Keeps the newest direction of a member until the next tick. */
  queueView(partyId: string, view: PartyView): void {
    let views = this.#pendingViews.get(partyId);
    if (!views) this.#pendingViews.set(partyId, (views = new Map<string, PartyView>()));
    views.set(view.userId, view);
  }

  /** Sends the views of every party that has some waiting, one event per party. */
  async flushViews(): Promise<void> {
    if (this.#pendingViews.size === 0) return;
    const batch = [...this.#pendingViews];
    this.#pendingViews.clear();
    for (const [partyId, views] of batch) {
      try {
        await this.#bus.publish(partyTopic(partyId), { type: 'party.views', partyId, views: [...views.values()] }, { persist: false });
      } catch (error) {
        this.log('could not send the view directions of a watch party', error);
      }
    }
  }
}
