import { AD_TRACKING_EVENTS, type AdTracking, type AdTrackingEvent } from '../../api/ad-delivery.ts';

/**
 * VAST 4.x error codes the player reports in `[ERRORCODE]` (IAB VAST 4.2, section 2.3.6.3).
 * 401: the creative's file (its HLS master) was not found; 402: loading it timed out; 405: it was
 * found but could not be played (undecodable, a codec the browser lacks).
 */
export const VAST_ERROR_CODES = { fileNotFound: 401, timeout: 402, cannotPlay: 405 } as const;
export type VastErrorCode = (typeof VAST_ERROR_CODES)[keyof typeof VAST_ERROR_CODES];

/** The progress events, in the order VAST has them happen. */
const PROGRESS: readonly AdTrackingEvent[] = ['impression', 'start', 'firstQuartile', 'midpoint', 'thirdQuartile', 'complete'];

/** Sends one beacon: a GET that outlives the page (keepalive) and needs no CORS answer. */
export type BeaconSender = (url: string) => void;

export const sendBeacon: BeaconSender = (url) => {
  // VAST tracking URLs are pixels fetched with GET; navigator.sendBeacon only POSTs, so fetch keepalive.
  void fetch(url, { method: 'GET', mode: 'no-cors', keepalive: true, cache: 'no-store', credentials: 'include' }).catch(() => undefined);
};

/** Fills the VAST macros the player knows (`[ERRORCODE]`, `[CACHEBUSTING]`, `[TIMESTAMP]`, `[ADPLAYHEAD]`); others stay as they are. */
export function expandMacros(url: string, values: { errorCode?: number; adPlayheadSeconds?: number }): string {
  const playhead = values.adPlayheadSeconds;
  const hms = playhead === undefined ? null : formatAdPlayhead(playhead);
  return url
    .replaceAll('[ERRORCODE]', values.errorCode === undefined ? '[ERRORCODE]' : String(values.errorCode))
    .replaceAll('[CACHEBUSTING]', String(Math.floor(Math.random() * 1e8)).padStart(8, '0'))
    .replaceAll('[TIMESTAMP]', encodeURIComponent(new Date().toISOString()))
    .replaceAll('[ADPLAYHEAD]', hms === null ? '[ADPLAYHEAD]' : encodeURIComponent(hms));
}

/** VAST time format HH:MM:SS.mmm. */
export function formatAdPlayhead(seconds: number): string {
  const ms = Math.max(0, Math.round(seconds * 1000));
  const pad = (n: number, w = 2): string => String(n).padStart(w, '0');
  return `${pad(Math.floor(ms / 3_600_000))}:${pad(Math.floor(ms / 60_000) % 60)}:${pad(Math.floor(ms / 1000) % 60)}.${pad(ms % 1000, 3)}`;
}

/**
 * The beacons of one ad: each event at most once, progress events in VAST's order (a later one
 * brings the missed earlier ones with it, e.g. after a seek over a quartile), nothing after the ad
 * ended (complete, skip or error), and `error` only before the ad ended.
 */
export class AdBeacons {
  readonly #tracking: AdTracking;
  readonly #send: BeaconSender;
  readonly #fired: AdTrackingEvent[] = [];
  #ended = false;

  constructor(tracking: AdTracking, send: BeaconSender = sendBeacon) {
    this.#tracking = tracking;
    this.#send = send;
  }

  /** Events fired so far, in order. */
  get fired(): readonly AdTrackingEvent[] {
    return this.#fired;
  }

  get ended(): boolean {
    return this.#ended;
  }

  has(event: AdTrackingEvent): boolean {
    return this.#fired.includes(event);
  }

  /** Fires a progress event (impression … complete) and any earlier one not fired yet. */
  progress(event: (typeof PROGRESS)[number], adPlayheadSeconds?: number): void {
    if (this.#ended) return;
    const upTo = PROGRESS.indexOf(event);
    for (const step of PROGRESS.slice(0, upTo + 1)) this.#fire(step, { ...(adPlayheadSeconds === undefined ? {} : { adPlayheadSeconds }) });
    if (event === 'complete') this.#ended = true;
  }

  /** The viewer skipped a started ad. */
  skip(adPlayheadSeconds: number): void {
    if (this.#ended || !this.has('start')) return;
    this.#fire('skip', { adPlayheadSeconds });
    this.#ended = true;
  }

  /** The viewer clicked through (any number of clicks, tracked once). */
  click(adPlayheadSeconds: number): void {
    if (this.#ended || !this.has('impression')) return;
    this.#fire('clickTracking', { adPlayheadSeconds });
  }

  /** The ad could not be shown or stopped playing: the error URLs with the VAST error code. */
  error(errorCode: VastErrorCode, adPlayheadSeconds?: number): void {
    if (this.#ended) return;
    this.#fire('error', { errorCode, ...(adPlayheadSeconds === undefined ? {} : { adPlayheadSeconds }) });
    this.#ended = true;
  }

  #fire(event: AdTrackingEvent, values: { errorCode?: number; adPlayheadSeconds?: number }): void {
    if (this.#fired.includes(event)) return;
    this.#fired.push(event);
    for (const url of this.#tracking[event] ?? []) this.#send(expandMacros(url, values));
  }
}

export { AD_TRACKING_EVENTS };
