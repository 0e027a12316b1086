/**
 * One broadcast from the studio: the real-time trial picks the ladder, ONE ffmpeg encodes the source
 * into a spool folder, and the LiveUploader pushes it to the origin. States: connecting (trial, then
 * until the origin has the first segment), live, reconnecting (the origin is unreachable; the encoder
 * keeps going and segments wait on disk), ended. Health is reported every second.
 *
 * Nothing the encoder made is lost to a crash: an encoder that dies mid-broadcast is started again
 * into a new run folder whose segment numbers continue (the origin marks the discontinuity), and a
 * studio that is killed leaves its spool (the channel's folder) behind: going live again on the same
 * channel with the same spool delivers what was left, oldest first, with the same ladder.
 */
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { z } from 'zod';
import { TypedEmitter } from '@spherecast/shared/events';
import {
  buildLiveLadderArgs,
  isMediaError,
  ladderPlanSchema,
  MediaError,
  pickRealTimeLadder,
  planLiveLadder,
  runFfmpeg,
  toMediaError,
  type FfmpegProgress,
  type LadderPlan,
  type LiveTrial,
  type ResolvedLiveSource,
} from '@spherecast/shared/media';
import type { Fetch } from './ingest-client.ts';
import { LiveUploader, SPOOL_FILES, spoolRunDir, spoolRuns } from './spool-uploader.ts';

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
  /** Times the encoder stopped unexpectedly and was started again (the broadcast went on). */
  encoderRestarts: z.number().int(),
  /** Segments an interrupted broadcast had left in the spool, delivered first. */
  resumedSegments: z.number().int(),
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
  encoderRestarts: number;
  resumedSegments: number;
  rungs: string[];
  trials: LiveTrial[];
  /** Whether the origin was told the broadcast ended. */
  channelEnded: boolean;
}

export interface LiveSessionEvents {
  state: LiveState;
  health: LiveHealth;
  trial: LiveTrial;
  /** The encoder stopped unexpectedly and runs again. */
  encoderRestart: { error: MediaError; restarts: number; startNumber: number };
}

export interface LiveSessionOptions {
  source: ResolvedLiveSource;
  hlsIngestUrl: string;
  streamKey: string;
  /**
   * The channel's spool folder: created, and removed after a clean end. What an interrupted broadcast
   * left there is delivered first (use one folder per channel).
   */
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
  /** Encoder restarts allowed within a minute before the broadcast stops with the encoder's error. Default 3. */
  maxEncoderRestarts?: number;
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
  #encoderRestarts = 0;
  #resumedSegments = 0;
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
      encoderRestarts: this.#encoderRestarts,
      resumedSegments: this.#resumedSegments,
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
    let owned = false;
    try {
      await mkdir(o.spoolDir, { recursive: true });
      await this.#claimSpool();
      owned = true;
      const left = await spoolRuns(o.spoolDir);
      const stored = await this.#storedPlan(left.length > 0);
      let plan: LadderPlan;
      if (stored) {
        // A resumed broadcast keeps its ladder: the origin's master and the segments left stay valid.
        plan = stored;
        this.#setState('connecting', `Resuming the interrupted broadcast with its ladder (${plan.rungs.map((r) => r.name).join(', ')})`);
      } else {
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
        plan = picked.plan;
        await writeFile(path.join(o.spoolDir, SPOOL_FILES.plan), JSON.stringify(plan));
      }
      this.#rungs = plan.rungs.map((rung) => rung.name);
      const uploader = new LiveUploader({
        spoolDir: o.spoolDir,
        plan,
        hlsIngestUrl: o.hlsIngestUrl,
        streamKey: o.streamKey,
        ...(o.pollMs ? { pollMs: o.pollMs } : {}),
        ...(o.backoff ? { backoff: o.backoff } : {}),
        ...(o.fetch ? { fetch: o.fetch } : {}),
      });
      const resumed = await uploader.resume();
      this.#resumedSegments = resumed.segments;
      if (resumed.segments > 0) this.#step = `Delivering ${resumed.segments} segments the interrupted broadcast left, oldest first`;
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

      if (resumed.segments === 0) this.#step = `Encoding ${this.#rungs.join(', ')}`;
      this.#startedAt = Date.now();
      const encoder = this.#runEncoders(plan, uploader, (left.at(-1)?.index ?? -1) + 1);
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
      owned = false;
      this.#setState('ended', 'Ended');
      return this.#summary('ended', null, trials, channelEnded);
    } catch (cause) {
      const error = toMediaError(cause, 'FFMPEG_FAILED', 'The broadcast failed');
      this.#encoderAbort.abort();
      this.#uploader?.stop();
      this.#lastError = error.message;
      // An ended channel takes nothing more: what waits in the spool can never be delivered.
      if (error.status === 409) await rm(o.spoolDir, { recursive: true, force: true }).catch(() => undefined);
      this.#setState('ended', `Stopped: ${error.message}`);
      return this.#summary('error', error, trials, channelEnded);
    } finally {
      if (owned) await rm(path.join(o.spoolDir, SPOOL_FILES.owner), { force: true }).catch(() => undefined);
      clearInterval(timer);
      if (viewersTimer) clearInterval(viewersTimer);
      this.emit('health', this.health());
    }
  }

  /**
   * Runs the encoder until the source ends or end() stops it, starting it again (a new run, numbers
   * continuing) when it dies on its own. Resolves with the error that stopped the broadcast, if any.
   */
  async #runEncoders(plan: LadderPlan, uploader: LiveUploader, firstRun: number): Promise<MediaError | null> {
    const o = this.#options;
    const maxRestarts = o.maxEncoderRestarts ?? 3;
    const restarts: number[] = [];
    for (let runIndex = firstRun; ; runIndex++) {
      const startNumber = uploader.nextNumber;
      const dir = spoolRunDir(o.spoolDir, runIndex);
      await mkdir(dir, { recursive: true });
      uploader.addRun(dir, startNumber);
      const elapsed = (Date.now() - this.#startedAt!) / 1000;
      const remaining = o.durationSeconds === undefined ? undefined : Math.round((o.durationSeconds - elapsed) * 1000) / 1000;
      if (remaining !== undefined && remaining < 0.5) return null;
      const error = await this.#runEncoder(plan, dir, startNumber, remaining);
      // What the stopped run left complete is queued before the next run's first segment.
      await uploader.sealRun();
      if (error === null) return null;
      const now = Date.now();
      restarts.push(now);
      while (restarts[0]! < now - 60_000) restarts.shift();
      if (restarts.length > maxRestarts) {
        return new MediaError('FFMPEG_FAILED', `The live encoder stopped ${restarts.length} times within a minute; the last time: ${error.message}`, {
          cause: error,
        });
      }
      this.#encoderRestarts++;
      this.#lastError = `The live encoder stopped (${error.message}); it was started again.`;
      this.#step = `Encoder restarted (${this.#encoderRestarts}): the broadcast goes on from segment ${uploader.nextNumber}`;
      this.emit('encoderRestart', { error, restarts: this.#encoderRestarts, startNumber: uploader.nextNumber });
      this.emit('health', this.health());
    }
  }

  /** Runs one ffmpeg until the source ends or end() stops it; resolves with the error of an unexpected stop. */
  async #runEncoder(plan: LadderPlan, dir: string, startNumber: number, durationSeconds: number | undefined): Promise<MediaError | null> {
    const o = this.#options;
    try {
      await runFfmpeg({
        args: buildLiveLadderArgs(plan, o.source.liveInput(durationSeconds === undefined ? {} : { durationSeconds }), dir, {
          startNumber,
          ...(o.preset ? { preset: o.preset } : {}),
        }),
        signal: this.#encoderAbort.signal,
        // SIGTERM makes ffmpeg close the last segment and write its playlist: give it time.
        killGraceMs: 10_000,
        // A killed studio must not leave an encoder writing into the spool it resumes from.
        dieWithParent: true,
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

  /** Takes the spool for this process; refuses while another live process uses it. */
  async #claimSpool(): Promise<void> {
    const file = path.join(this.#options.spoolDir, SPOOL_FILES.owner);
    const other = Number((await readFile(file, 'utf8').catch(() => '')).trim());
    if (Number.isSafeInteger(other) && other > 0 && other !== process.pid && processAlive(other)) {
      throw new MediaError(
        'INVALID_OPTIONS',
        `Another studio (process ${other}) is live on this channel from ${this.#options.spoolDir}. End that broadcast first, or give this one another spool folder.`,
      );
    }
    await writeFile(file, `${process.pid}\n`);
  }

  /** The ladder an interrupted broadcast used, when this source can keep it; null for a fresh start. */
  async #storedPlan(segmentsLeft: boolean): Promise<LadderPlan | null> {
    const o = this.#options;
    const text = await readFile(path.join(o.spoolDir, SPOOL_FILES.plan), 'utf8').catch(() => null);
    const parsed = text === null ? null : ladderPlanSchema.safeParse(safeJson(text));
    const plan = parsed?.success ? parsed.data : null;
    const fits = plan !== null && plan.projection === o.source.info.projection && (plan.audio !== null) === o.source.info.audioChannels > 0;
    if (fits) return plan;
    if (segmentsLeft) {
      throw new MediaError(
        'INVALID_OPTIONS',
        `${o.spoolDir} holds segments of an interrupted broadcast ${plan ? 'from another kind of source (projection or audio differ)' : 'without its ladder'}. Go live again with the same source to deliver them, or remove that folder.`,
      );
    }
    return null;
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
      encoderRestarts: this.#encoderRestarts,
      resumedSegments: this.#resumedSegments,
      rungs: this.#rungs,
      trials,
      channelEnded,
    };
  }
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists but belongs to someone else.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return null;
  }
}
