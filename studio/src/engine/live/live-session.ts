/**
 * One broadcast from the studio: the real-time trial picks the ladder, ONE ffmpeg encodes the source
 * into a spool folder, and the LiveUploader pushes it to the origin. States: connecting (trial, then
 * until the origin has the first segment), live, reconnecting (the origin is unreachable; the encoder
 * keeps going and segments wait on disk), ended. Health is reported every second.
 */
import { mkdir, rm } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { z } from 'zod';
import { TypedEmitter } from '@spherecast/shared/events';
import {
  buildLiveLadderArgs,
  isMediaError,
  MediaError,
  pickRealTimeLadder,
  planLiveLadder,
  runFfmpeg,
  toMediaError,
  type FfmpegProgress,
  type LiveTrial,
  type ResolvedLiveSource,
} from '@spherecast/shared/media';
import type { Fetch } from './ingest-client.ts';
import { LiveUploader } from './spool-uploader.ts';

export const LIVE_STATES = ['connecting', 'live', 'reconnecting', 'ended'] as const;
export type LiveState = (typeof LIVE_STATES)[number];

export const liveHealthSchema = z.object({
  state: z.enum(LIVE_STATES),
  /** What is happening now, in words ("Measuring real-time speed…", "Origin unreachable: retrying in 2 s"). */
  step: z.string(),
  /** Seconds since the encoder started. */
  uptimeSeconds: z.number(),
  /** Bits per second the encoder writes, all renditions together. */
  outputBitrate: z.number(),
  /** Frames per second encoded, against the source's `targetFps`. */
  fps: z.number(),
  targetFps: z.number(),
  /** Encoder speed against real time (1 = keeping up). */
  speed: z.number(),
  /** Frames the encoder dropped to keep up. */
  droppedFrames: z.number().int(),
  /** Segments complete on disk and not yet on the origin, and their bytes. */
  queueDepth: z.number().int(),
  queueBytes: z.number().int(),
  uploadedSegments: z.number().int(),
  /** Times the origin came back after being unreachable. */
  reconnects: z.number().int(),
  /** People watching, from the origin (null until known). */
  viewers: z.number().int().nullable(),
  /** Renditions being pushed, highest first. */
  rungs: z.array(z.string()),
  lastError: z.string().nullable(),
});
export type LiveHealth = z.infer<typeof liveHealthSchema>;

export interface LiveSummary {
  /** Why it ended: the duration ran out or end() was called (clean), or an error. */
  reason: 'ended' | 'error';
  error: MediaError | null;
  uploadedSegments: number;
  uploadedBytes: number;
  reconnects: number;
  rungs: string[];
  trials: LiveTrial[];
  /** Whether the origin was told the broadcast ended. */
  channelEnded: boolean;
}

export interface LiveSessionEvents {
  state: LiveState;
  health: LiveHealth;
  trial: LiveTrial;
}

export interface LiveSessionOptions {
  source: ResolvedLiveSource;
  hlsIngestUrl: string;
  streamKey: string;
  /** Folder for the spool; created, and removed after a clean end. */
  spoolDir: string;
  /** Ends the channel on the origin after the last segment (needs the creator's token); absent: the origin's grace period ends it. */
  endChannel?: () => Promise<void>;
  /** Reads the channel's viewers. */
  channelStatus?: () => Promise<{ viewers: number }>;
  /** Stop after this many seconds of source (a clean end). */
  durationSeconds?: number;
  eyeWidths?: readonly number[];
  segmentSeconds?: number;
  preset?: string;
  /** Real-time factor the trial must reach. Default 1.2. */
  minSpeed?: number;
  trialSeconds?: number;
  pollMs?: number;
  backoff?: { initialMs: number; maxMs: number };
  healthIntervalMs?: number;
  fetch?: Fetch;
}

export class LiveSession extends TypedEmitter<LiveSessionEvents> {
  readonly #options: LiveSessionOptions;
  readonly #encoderAbort = new AbortController();
  #state: LiveState = 'connecting';
  #step = 'Starting';
  #uploader: LiveUploader | null = null;
  #progress: FfmpegProgress | null = null;
  #startedAt: number | null = null;
  #reconnects = 0;
  #viewers: number | null = null;
  #lastError: string | null = null;
  #rungs: string[] = [];
  #ending = false;
  #started = false;

  constructor(options: LiveSessionOptions) {
    super();
    this.#options = options;
  }

  get state(): LiveState {
    return this.#state;
  }

  /** Health now (also emitted every second while on air). */
  health(): LiveHealth {
    const uploader = this.#uploader;
    const progress = this.#progress;
    return {
      state: this.#state,
      step: this.#step,
      uptimeSeconds: this.#startedAt === null ? 0 : (Date.now() - this.#startedAt) / 1000,
      outputBitrate: Math.round(uploader?.outputBitrate ?? 0),
      fps: progress?.fps ?? 0,
      targetFps: this.#options.source.info.fps,
      speed: progress?.speed ?? 0,
      droppedFrames: progress?.dropFrames ?? 0,
      queueDepth: uploader?.queueDepth ?? 0,
      queueBytes: uploader?.queueBytes ?? 0,
      uploadedSegments: uploader?.uploadedSegments ?? 0,
      reconnects: this.#reconnects,
      viewers: this.#viewers,
      rungs: this.#rungs,
      lastError: this.#lastError,
    };
  }

  /** Ends the broadcast cleanly: the encoder stops, what is on disk is uploaded, the channel is ended. */
  end(): void {
    if (this.#ending) return;
    this.#ending = true;
    this.#step = 'Ending: sending the last segments';
    this.#encoderAbort.abort();
  }

  /** Stops at once without uploading what is left (a second Ctrl-C, the studio closing). */
  destroy(): void {
    this.end();
    this.#uploader?.stop();
  }

  #setState(state: LiveState, step?: string): void {
    if (step) this.#step = step;
    if (state === this.#state) return;
    this.#state = state;
    this.emit('state', state);
    this.emit('health', this.health());
  }

  /** Runs the broadcast to its end; resolves with a summary (also after an error, with `reason: 'error'`). */
  async start(): Promise<LiveSummary> {
    if (this.#started) throw new MediaError('INVALID_OPTIONS', 'A live session runs once; start a new one.');
    this.#started = true;
    const o = this.#options;
    let trials: LiveTrial[] = [];
    let channelEnded = false;
    const timer = setInterval(() => this.emit('health', this.health()), o.healthIntervalMs ?? 1000);
    const viewersTimer = o.channelStatus ? setInterval(() => void this.#pollViewers(), 5000) : null;
    try {
      this.#setState('connecting', 'Measuring what this machine encodes in real time');
      const planned = planLiveLadder(o.source.info, {
        ...(o.eyeWidths ? { eyeWidths: o.eyeWidths } : {}),
        ...(o.segmentSeconds ? { segmentSeconds: o.segmentSeconds } : {}),
      });
      const picked = await pickRealTimeLadder(planned, o.source, {
        signal: this.#encoderAbort.signal,
        ...(o.preset ? { preset: o.preset } : {}),
        ...(o.minSpeed ? { minSpeed: o.minSpeed } : {}),
        ...(o.trialSeconds ? { seconds: o.trialSeconds } : {}),
        onTrial: (trial) => {
          this.#step = `Trial: ${trial.rungs.join(', ')} at ${trial.speed.toFixed(2)}x real time`;
          this.emit('trial', trial);
        },
      });
      trials = picked.trials;
      const plan = picked.plan;
      this.#rungs = plan.rungs.map((rung) => rung.name);
      await rm(o.spoolDir, { recursive: true, force: true });
      await mkdir(o.spoolDir, { recursive: true });
      const uploader = new LiveUploader({
        spoolDir: o.spoolDir,
        plan,
        hlsIngestUrl: o.hlsIngestUrl,
        streamKey: o.streamKey,
        ...(o.pollMs ? { pollMs: o.pollMs } : {}),
        ...(o.backoff ? { backoff: o.backoff } : {}),
        ...(o.fetch ? { fetch: o.fetch } : {}),
      });
      this.#uploader = uploader;
      uploader.on('uploaded', () => {
        if (this.#state !== 'ended' && !uploader.failing) this.#setState('live', this.#ending ? this.#step : 'On air');
      });
      uploader.on('retrying', ({ error, retryInMs }) => {
        this.#lastError = error.message;
        this.#setState('reconnecting', `${error.message} Retrying in ${(retryInMs / 1000).toFixed(1)} s; the encoder keeps going.`);
      });
      uploader.on('recovered', () => {
        this.#reconnects++;
        this.#setState('live', this.#ending ? 'Ending: sending the last segments' : 'On air');
      });

      this.#step = `Encoding ${this.#rungs.join(', ')}`;
      this.#startedAt = Date.now();
      const encoder = this.#runEncoder(plan);
      const upload = uploader.run();
      // The uploader can fail for good (a refused key, an ended channel): then the encoder stops too.
      const uploadFailed = upload.then(
        () => null,
        (error: unknown) => {
          this.#encoderAbort.abort();
          return toMediaError(error, 'ORIGIN_REJECTED', 'The upload failed');
        },
      );
      const encoderError = await encoder;
      uploader.encoderFinished();
      const uploadError = await uploadFailed;
      if (uploadError) throw uploadError;
      if (encoderError) throw encoderError;
      if (o.endChannel) {
        this.#step = 'Ending the broadcast on the origin';
        await o.endChannel();
        channelEnded = true;
      }
      await rm(o.spoolDir, { recursive: true, force: true });
      this.#setState('ended', 'Ended');
      return this.#summary('ended', null, trials, channelEnded);
    } catch (cause) {
      const error = toMediaError(cause, 'FFMPEG_FAILED', 'The broadcast failed');
      this.#encoderAbort.abort();
      this.#uploader?.stop();
      this.#lastError = error.message;
      this.#setState('ended', `Stopped: ${error.message}`);
      return this.#summary('error', error, trials, channelEnded);
    } finally {
      clearInterval(timer);
      if (viewersTimer) clearInterval(viewersTimer);
      this.emit('health', this.health());
    }
  }

  /** Runs ffmpeg until the source ends or end() stops it; resolves with the error of an unexpected stop. */
  async #runEncoder(plan: Parameters<typeof buildLiveLadderArgs>[0]): Promise<MediaError | null> {
    const o = this.#options;
    try {
      await runFfmpeg({
        args: buildLiveLadderArgs(
          plan,
          o.source.liveInput(o.durationSeconds === undefined ? {} : { durationSeconds: o.durationSeconds }),
          o.spoolDir,
          o.preset ? { preset: o.preset } : {},
        ),
        signal: this.#encoderAbort.signal,
        // SIGTERM makes ffmpeg close the last segment and write its playlist: give it time.
        killGraceMs: 10_000,
        onProgress: (progress) => (this.#progress = progress),
      });
      return null;
    } catch (error) {
      // A Ctrl-C in a terminal reaches ffmpeg too, maybe before our own handler calls end().
      if (!this.#ending) await sleep(200);
      if (this.#ending || (isMediaError(error) && error.code === 'CANCELLED')) return null;
      return toMediaError(error, 'FFMPEG_FAILED', 'The live encoder stopped');
    }
  }

  async #pollViewers(): Promise<void> {
    try {
      this.#viewers = (await this.#options.channelStatus!()).viewers;
    } catch {
      // Viewers are a nicety: an unreachable origin shows in the upload state already.
    }
  }

  #summary(reason: LiveSummary['reason'], error: MediaError | null, trials: LiveTrial[], channelEnded: boolean): LiveSummary {
    return {
      reason,
      error,
      uploadedSegments: this.#uploader?.uploadedSegments ?? 0,
      uploadedBytes: this.#uploader?.uploadedBytes ?? 0,
      reconnects: this.#reconnects,
      rungs: this.#rungs,
      trials,
      channelEnded,
    };
  }
}
