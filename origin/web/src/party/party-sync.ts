// Keeping a watch party's players on the same moment (#15). The party's state is the host's playhead
// anchored on the origin's clock; members estimate that clock (PartyClock) and steer their video to
// the state's position: small drift by nudging playbackRate, large drift (or any drift while paused)
// by seeking. The host reports its play, pause and seeks, and re-anchors every few seconds so that a
// host that stalled does not leave the party running ahead of it.
import type { PartyControlInput, PartyState } from '@spherecast/shared';

/** Defaults of the follower, typed and documented where they are declared. */
export const PARTY_SYNC = {
  /** How often a member compares its playhead with the party's, ms. */
  tickMs: 200,
  /** Drift (s) above which a member seeks instead of nudging its rate. */
  seekThresholdSeconds: 0.4,
  /** Drift (s) below which a member plays at the party's rate. */
  toleranceSeconds: 0.04,
  /** Drift (s) a paused member accepts before it seeks to the party's frame. */
  pausedToleranceSeconds: 0.05,
  /** Rate change per second of drift, and its bound (0.85..1.15: pitch is kept by the browser). */
  rateGain: 0.6,
  rateMaxDelta: 0.15,
  /** After a seek, no new seek for this long (ms), unless the party's state changed: the video needs time to resume. */
  seekCooldownMs: 1500,
  /** The host re-anchors the party this often while playing, ms. */
  hostSyncMs: 5000,
  /** Clock samples at start, and one more this often (ms). */
  clockSamples: 5,
  clockResampleMs: 30_000,
} as const;

/**
 * An estimate of the origin's clock: offset = server time - the local time half-way through the
 * request, from the sample with the shortest round trip (its error is at most half that trip).
 */
export class PartyClock {
  #offsetMs = 0;
  #bestRttMs = Number.POSITIVE_INFINITY;
  #samples: { offsetMs: number; rttMs: number; at: number }[] = [];
  #timer: ReturnType<typeof setInterval> | null = null;
  #destroyed = false;

  constructor(private readonly ask: () => Promise<{ serverNowMs: number }>) {}

  /** Takes the first samples (resolves when done) and keeps sampling now and then. */
  async start(): Promise<void> {
    for (let i = 0; i < PARTY_SYNC.clockSamples && !this.#destroyed; i++) await this.#sample();
    if (this.#destroyed) return;
    this.#timer = setInterval(() => void this.#sample(), PARTY_SYNC.clockResampleMs);
  }

  destroy(): void {
    this.#destroyed = true;
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = null;
  }

  /** The origin's clock now, ms since the epoch, as far as this page knows. */
  now(): number {
    return Date.now() + this.#offsetMs;
  }

  get offsetMs(): number {
    return this.#offsetMs;
  }

  /** Round trip of the sample the offset comes from: the offset's error is at most half of it. */
  get rttMs(): number {
    return this.#bestRttMs;
  }

  async #sample(): Promise<void> {
    const sentPerf = performance.now();
    const sentWall = Date.now();
    let answer: { serverNowMs: number };
    try {
      answer = await this.ask();
    } catch {
      return;
    }
    const rttMs = performance.now() - sentPerf;
    const offsetMs = answer.serverNowMs - (sentWall + rttMs / 2);
    // Keep the best of the last few minutes: clocks drift slowly, networks change.
    const now = Date.now();
    this.#samples = [...this.#samples.filter((s) => now - s.at < 5 * 60_000), { offsetMs, rttMs, at: now }];
    const best = this.#samples.reduce((a, b) => (b.rttMs < a.rttMs ? b : a));
    this.#offsetMs = best.offsetMs;
    this.#bestRttMs = best.rttMs;
  }
}

/** Where the party is at server time `serverNowMs`, in seconds into the video. */
export function partyPosition(state: PartyState, serverNowMs: number, durationSeconds?: number): number {
  const moved = state.playing ? ((serverNowMs - state.anchoredAtMs) / 1000) * state.rate : 0;
  const position = Math.max(0, state.positionSeconds + moved);
  return durationSeconds !== undefined && Number.isFinite(durationSeconds) && durationSeconds > 0 ? Math.min(position, durationSeconds) : position;
}

/** What a member's follower did last, for the page's data attributes (tests, diagnostics). */
export type FollowStatus = { driftSeconds: number; rate: number; seeks: number; blocked: boolean };

/**
 * A member's player following the party's state. `setState` with every state event (older
 * revisions are ignored); `onScene` is called when the state's sceneId changes (tours).
 */
export class PartyFollower {
  #state: PartyState | null = null;
  #timer: ReturnType<typeof setInterval> | null = null;
  #lastSeekAt = Number.NEGATIVE_INFINITY;
  #seekRevision = -1;
  #status: FollowStatus = { driftSeconds: 0, rate: 1, seeks: 0, blocked: false };
  /** How long a seek takes to play again here (s), smoothed: a playing member seeks that far ahead. */
  #seekLatency = 0.15;
  #seekStartedAt: number | null = null;

  constructor(
    private readonly video: HTMLVideoElement,
    private readonly clock: PartyClock,
    private readonly hooks: { onScene?: (sceneId: string | null) => void; onStatus?: (status: FollowStatus) => void } = {},
  ) {}

  start(): void {
    if (this.#timer) return;
    this.video.addEventListener('seeked', this.#onSeeked);
    this.#timer = setInterval(() => this.tick(), PARTY_SYNC.tickMs);
  }

  destroy(): void {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = null;
    this.video.removeEventListener('seeked', this.#onSeeked);
    this.video.playbackRate = 1;
  }

  #onSeeked = (): void => {
    if (this.#seekStartedAt === null) return;
    const took = (performance.now() - this.#seekStartedAt) / 1000;
    this.#seekStartedAt = null;
    this.#seekLatency = Math.min(1, 0.5 * this.#seekLatency + 0.5 * took);
  };

  get state(): PartyState | null {
    return this.#state;
  }

  setState(state: PartyState): void {
    const previous = this.#state;
    if (previous && state.revision < previous.revision) return;
    this.#state = state;
    if (state.sceneId !== (previous?.sceneId ?? null)) this.hooks.onScene?.(state.sceneId);
    this.tick();
  }

  tick(): void {
    const state = this.#state;
    const video = this.video;
    if (!state || video.readyState < 1) return;
    const target = partyPosition(state, this.clock.now(), video.duration);
    if (state.playing && video.paused && !video.ended) {
      video.play().then(
        () => this.#report({ blocked: false }),
        (error: unknown) => {
          // Autoplay refused: the page shows a play button; the follower goes on once it is pressed.
          if (error instanceof DOMException && error.name === 'NotAllowedError') this.#report({ blocked: true });
        },
      );
    } else if (!state.playing && !video.paused) {
      video.pause();
    }
    if (video.seeking) return;
    const drift = video.currentTime - target;
    const now = performance.now();
    const mayseek = now - this.#lastSeekAt > PARTY_SYNC.seekCooldownMs || this.#seekRevision !== state.revision;
    let rate = state.rate;
    if (!state.playing) {
      rate = state.rate;
      if (Math.abs(drift) > PARTY_SYNC.pausedToleranceSeconds && mayseek) this.#seek(target, state.revision, false);
    } else if (Math.abs(drift) > PARTY_SYNC.seekThresholdSeconds) {
      if (mayseek) this.#seek(target + this.#seekLatency * state.rate, state.revision, true);
    } else if (Math.abs(drift) > PARTY_SYNC.toleranceSeconds) {
      // Ahead (drift > 0): slower; behind: faster.
      rate = state.rate * (1 - Math.max(-PARTY_SYNC.rateMaxDelta, Math.min(PARTY_SYNC.rateMaxDelta, drift * PARTY_SYNC.rateGain)));
    }
    if (Math.abs(video.playbackRate - rate) > 0.001) video.playbackRate = rate;
    this.#report({ driftSeconds: drift, rate });
  }

  #seek(target: number, revision: number, playing: boolean): void {
    this.#lastSeekAt = performance.now();
    this.#seekStartedAt = playing ? this.#lastSeekAt : null;
    this.#seekRevision = revision;
    this.video.currentTime = target;
    this.#report({ seeks: this.#status.seeks + 1 });
  }

  #report(change: Partial<FollowStatus>): void {
    this.#status = { ...this.#status, ...change };
    this.hooks.onStatus?.(this.#status);
  }
}

type Control = Omit<PartyControlInput, 'partyId'>;

/**
 * The host's side: its play, pause and seeks become the party's state, and while it plays it
 * re-anchors the state every PARTY_SYNC.hostSyncMs. `send` failures are reported, not thrown.
 */
export class PartyHostReporter {
  #timer: ReturnType<typeof setInterval> | null = null;
  #waiting = false;

  constructor(
    private readonly video: HTMLVideoElement,
    private readonly clock: PartyClock,
    private readonly send: (control: Control) => Promise<unknown>,
    private readonly onError: (error: unknown) => void = (error) => console.info('watch party: could not send the host state', error),
  ) {}

  start(): void {
    if (this.#timer) return;
    this.video.addEventListener('play', this.#onPlay);
    this.video.addEventListener('pause', this.#onPause);
    this.video.addEventListener('seeked', this.#onSeeked);
    this.video.addEventListener('waiting', this.#onWaiting);
    this.video.addEventListener('playing', this.#onPlaying);
    this.#timer = setInterval(() => {
      if (!this.video.paused && !this.#waiting) this.#report('sync');
    }, PARTY_SYNC.hostSyncMs);
    // The party starts where the host is now.
    this.#report(this.video.paused ? 'pause' : 'play');
  }

  destroy(): void {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = null;
    this.video.removeEventListener('play', this.#onPlay);
    this.video.removeEventListener('pause', this.#onPause);
    this.video.removeEventListener('seeked', this.#onSeeked);
    this.video.removeEventListener('waiting', this.#onWaiting);
    this.video.removeEventListener('playing', this.#onPlaying);
  }

  /** A tour's scene change: the party moves to `sceneId` at `positionSeconds` into it. */
  changeScene(sceneId: string, positionSeconds = 0): void {
    this.send({ action: 'scene', sceneId, positionSeconds, at: Math.round(this.clock.now()), playing: !this.video.paused }).catch(this.onError);
  }

  #report(action: 'play' | 'pause' | 'seek' | 'sync'): void {
    const positionSeconds = Math.max(0, this.video.currentTime);
    this.send({ action, positionSeconds, at: Math.round(this.clock.now()), playing: !this.video.paused }).catch(this.onError);
  }

  #onPlay = (): void => this.#report('play');
  #onPause = (): void => {
    // A pause at the end is the end, not a host's pause; members stop at the end by themselves.
    if (!this.video.ended) this.#report('pause');
  };
  #onSeeked = (): void => this.#report('seek');
  // While the host buffers its playhead stands still: the party waits with it (re-anchored when it plays again).
  #onWaiting = (): void => {
    this.#waiting = true;
  };
  // Playback really (re)started: after a play, a seek or a stall the playhead moves from here.
  #onPlaying = (): void => {
    this.#waiting = false;
    this.#report('sync');
  };
}
