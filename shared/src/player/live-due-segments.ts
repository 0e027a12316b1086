import { Events, PlaylistLevelType, type Fragment, type FragLoadingData } from 'hls.js';

/** How often a stalled live player looks at its pending segment requests, in ms. */
export const DUE_CHECK_MS = 500;

type HlsEvents = {
  on(event: Events.FRAG_LOADING, listener: (event: Events.FRAG_LOADING, data: FragLoadingData) => void): void;
  off(event: Events.FRAG_LOADING, listener: (event: Events.FRAG_LOADING, data: FragLoadingData) => void): void;
};
/** The part of p2p-media-loader's Core this uses (the engine's playback feed). */
type PlaybackTarget = { updatePlayback(position: number, rate: number): void };

/**
 * Live with P2P: a segment hls.js asks for while playback cannot go on is due now, so it goes over HTTP
 * unless a peer already has it.
 *
 * p2p-media-loader-core 2.3 decides what is due by the playhead alone: a requested segment goes over
 * HTTP only once it starts within `highDemandTimeWindow` (1 s live, DEFAULT_LIVE_P2P_CORE_CONFIG) of
 * the last `timeupdate`/`seeking` position; before that only a peer that has it may send it, and the
 * core's random HTTP prefetch needs a connected peer. The playhead, though, moves only while there is
 * data to play, so two states deadlocked:
 *
 * - A stall. Chromium does not resume a stalled element as soon as the next frames are in: after
 *   repeated underruns it waits for more (1-2 s buffered and still stalled in the ads-live traces).
 *   hls.js (maxBufferLength 2) then asks for the next segment, which starts more than 1 s after the
 *   frozen playhead: neither high demand nor held by anyone, so the request stayed pending until
 *   hls.js gave up on the position ("too far from the end of live sliding playlist", 24 s later).
 * - A fresh attach: after an HLS interstitial (a live mid-roll) hls.js attaches the content again,
 *   its element at 0 until the first segment is buffered, and asks for the segment at the break's
 *   resumption point, tens of seconds ahead of that 0 (and of the ad's last positions, which the
 *   engine also took as the content's). Nothing was ever due: the content never loaded again.
 *
 * So while the element cannot play (readyState below HAVE_FUTURE_DATA: stalled, seeking out of the
 * buffer, attaching) the core is told that the playback position is the start of the earliest segment
 * hls.js is waiting for. That makes it (and, being a jump, the engine's own request) high demand; once
 * playback runs, `timeupdate` feeds the real playhead again. Playing viewers are left alone, so the
 * share from peers at the live edge is unchanged.
 */
export class LiveDueSegments {
  readonly #video: HTMLVideoElement;
  readonly #target: PlaybackTarget;
  #hls: HlsEvents | null = null;
  readonly #pending = new Map<string, Fragment>();
  #timer: ReturnType<typeof setInterval> | null = null;

  constructor(video: HTMLVideoElement, target: PlaybackTarget) {
    this.#video = video;
    this.#target = target;
  }

  start(hls: HlsEvents): void {
    if (this.#hls) return;
    this.#hls = hls;
    hls.on(Events.FRAG_LOADING, this.#onFragLoading);
    this.#video.addEventListener('waiting', this.#check);
    this.#timer = setInterval(this.#check, DUE_CHECK_MS);
  }

  destroy(): void {
    this.#hls?.off(Events.FRAG_LOADING, this.#onFragLoading);
    this.#hls = null;
    this.#video.removeEventListener('waiting', this.#check);
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = null;
    this.#pending.clear();
  }

  #onFragLoading = (_: Events.FRAG_LOADING, data: FragLoadingData): void => {
    const { frag } = data;
    if (frag.sn === 'initSegment' || (frag.type !== PlaylistLevelType.MAIN && frag.type !== PlaylistLevelType.AUDIO)) return;
    this.#pending.set(frag.type, frag);
    // After the listeners of this event: the engine's loader has handed the request to the core by then.
    queueMicrotask(this.#check);
  };

  #check = (): void => {
    const video = this.#video;
    if (!this.#hls || video.readyState >= HTMLMediaElement.HAVE_FUTURE_DATA) return;
    let due = Number.POSITIVE_INFINITY;
    for (const [type, frag] of this.#pending) {
      const { stats } = frag;
      if (stats.aborted || stats.loading.end > 0) this.#pending.delete(type);
      else due = Math.min(due, frag.start);
    }
    if (!Number.isFinite(due)) return;
    // Never behind the playhead: a stalled element's playhead is where the data runs out.
    this.#target.updatePlayback(Math.max(due, video.currentTime), video.playbackRate || 1);
  };
}

/** The core behind a p2p-media-loader-hlsjs 2.3 engine (a private field there), or null if it has none. */
export function engineCore(engine: object): PlaybackTarget | null {
  const core = (engine as { core?: unknown }).core;
  return core && typeof (core as PlaybackTarget).updatePlayback === 'function' ? (core as PlaybackTarget) : null;
}
