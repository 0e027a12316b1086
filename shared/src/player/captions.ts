import type Hls from 'hls.js';
import { Events } from 'hls.js';
import { TypedEvents, type Listener } from '../events/index.ts';

/** One caption language the stream offers (an `EXT-X-MEDIA TYPE=SUBTITLES` rendition). */
export type CaptionTrackInfo = {
  /** Position in `tracks`, what `select` takes. */
  index: number;
  /** BCP 47 language tag (LANGUAGE), e.g. `fr-CA`; empty when the master names none. */
  lang: string;
  /** What the menu shows (NAME), e.g. `Français (Canada)`. */
  label: string;
};

export type CaptionEventMap = {
  /** The languages are known (after the master playlist loaded). */
  tracks: CaptionTrackInfo[];
  /** The chosen language changed (-1: captions off). */
  selected: { index: number };
  /** The caption to show now changed: plain text (WebVTT markup removed), lines separated by `\n`; null when none. */
  cue: { text: string | null };
};

const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', nbsp: '\u00a0', lrm: '\u200e', rlm: '\u200f', quot: '"', apos: "'" };

/** A WebVTT cue's text as plain text: tags (`<i>`, `<v Speaker>`, `<c.yellow>`, timestamps) removed, entities decoded. */
export function cuePlainText(text: string): string {
  return text
    .replace(/<[^>]*>/g, '')
    .replace(/&(amp|lt|gt|nbsp|lrm|rlm|quot|apos);/g, (_, name: string) => ENTITIES[name] ?? '')
    .trim();
}

const isSubtitleTrack = (track: TextTrack) => track.kind === 'subtitles' || track.kind === 'captions';

/**
 * The captions side of the player: which languages the stream has, which one is on, and the cue to
 * show now. The browser parses the WebVTT (hls.js puts the cues on the video element's TextTracks,
 * as Safari's own HLS does) and keeps the track `hidden`, so nothing is drawn on the (invisible)
 * video element: the page draws the cue over the 360 view, and the renderer in WebXR.
 */
export class PlayerCaptions {
  readonly #events = new TypedEvents<CaptionEventMap>();
  readonly #video: HTMLVideoElement;
  #hls: Hls | null = null;
  #tracks: CaptionTrackInfo[] = [];
  #selected = -1;
  #cue: string | null = null;
  #listening: TextTrack | null = null;
  #destroyed = false;

  constructor(video: HTMLVideoElement) {
    this.#video = video;
    video.textTracks.addEventListener('addtrack', this.#onTextTracksChanged);
  }

  get tracks(): readonly CaptionTrackInfo[] {
    return this.#tracks;
  }

  /** The chosen language's index, or -1 when captions are off. */
  get selected(): number {
    return this.#selected;
  }

  /** The caption on screen now (plain text), or null. */
  get cue(): string | null {
    return this.#cue;
  }

  on<K extends keyof CaptionEventMap>(event: K, fn: Listener<CaptionEventMap[K]>): void {
    this.#events.on(event, fn);
  }

  off<K extends keyof CaptionEventMap>(event: K, fn: Listener<CaptionEventMap[K]>): void {
    this.#events.off(event, fn);
  }

  /** Follows an hls.js instance's subtitle renditions (call before it loads the master). */
  attach(hls: Hls): void {
    this.#hls = hls;
    // Cues are loaded and kept `hidden`: the page draws them, the browser does not.
    hls.subtitleDisplay = false;
    hls.on(Events.SUBTITLE_TRACKS_UPDATED, this.#onHlsTracks);
    hls.on(Events.MANIFEST_PARSED, this.#onHlsTracks);
  }

  /** Turns captions on in language `index` of `tracks`, or off with -1. */
  select(index: number): void {
    if (index !== -1 && !this.#tracks[index]) throw new RangeError(`no caption track ${index} (have ${this.#tracks.length})`);
    this.#selected = index;
    if (this.#hls) {
      this.#hls.subtitleTrack = index;
      this.#hls.subtitleDisplay = false;
    }
    this.#bindTextTrack();
    this.#events.emit('selected', { index });
  }

  destroy(): void {
    if (this.#destroyed) return;
    this.#destroyed = true;
    this.#video.textTracks.removeEventListener('addtrack', this.#onTextTracksChanged);
    this.#listening?.removeEventListener('cuechange', this.#onCueChange);
    this.#listening = null;
    if (this.#hls) {
      this.#hls.off(Events.SUBTITLE_TRACKS_UPDATED, this.#onHlsTracks);
      this.#hls.off(Events.MANIFEST_PARSED, this.#onHlsTracks);
      this.#hls = null;
    }
    this.#events.removeAllListeners();
  }

  #onHlsTracks = (): void => {
    const hls = this.#hls;
    if (!hls) return;
    this.#setTracks(hls.subtitleTracks.map((track, index) => ({ index, lang: track.lang ?? '', label: track.name || track.lang || `Captions ${index + 1}` })));
  };

  #onTextTracksChanged = (): void => {
    // Safari's own HLS (no hls.js) lists the master's subtitles as text tracks of the element.
    if (!this.#hls) {
      const native = [...this.#video.textTracks].filter(isSubtitleTrack);
      this.#setTracks(native.map((track, index) => ({ index, lang: track.language, label: track.label || track.language || `Captions ${index + 1}` })));
    }
    this.#bindTextTrack();
  };

  #setTracks(tracks: CaptionTrackInfo[]): void {
    const same = tracks.length === this.#tracks.length && tracks.every((t, i) => t.lang === this.#tracks[i]?.lang && t.label === this.#tracks[i]?.label);
    if (same) return;
    this.#tracks = tracks;
    this.#events.emit('tracks', tracks);
  }

  /** Listens to the element's text track of the chosen language, and keeps it `hidden` (never drawn by the browser). */
  #bindTextTrack(): void {
    const chosen = this.#tracks[this.#selected];
    let match: TextTrack | null = null;
    for (const track of [...this.#video.textTracks].filter(isSubtitleTrack)) {
      const isChosen = chosen !== undefined && track.label === chosen.label && track.language === chosen.lang;
      if (isChosen && !match) {
        match = track;
        if (track.mode !== 'hidden') track.mode = 'hidden';
      } else if (!this.#hls && track.mode !== 'disabled') {
        track.mode = 'disabled';
      }
    }
    if (match !== this.#listening) {
      this.#listening?.removeEventListener('cuechange', this.#onCueChange);
      this.#listening = match;
      match?.addEventListener('cuechange', this.#onCueChange);
    }
    this.#onCueChange();
  }

  #onCueChange = (): void => {
    const track = this.#listening;
    const active = track && this.#selected !== -1 ? [...(track.activeCues ?? [])] : [];
    const text = active.map((cue) => cuePlainText((cue as VTTCue).text ?? '')).filter(Boolean);
    const next = text.length > 0 ? text.join('\n') : null;
    if (next === this.#cue) return;
    this.#cue = next;
    this.#events.emit('cue', { text: next });
  };
}
