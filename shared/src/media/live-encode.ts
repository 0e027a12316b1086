/**
 * The live ladder: the VOD planner (planLadder) on a live source, limited to the rungs this machine
 * encodes in real time (a short trial before going live), encoded by ONE ffmpeg process into a local
 * spool folder as fMP4 HLS with 1–2 s segments whose keyframes are aligned across rungs. An uploader
 * pushes the spool to the origin (the network never touches the encoder).
 */
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { MediaError } from './errors.ts';
import { runFfmpeg, type FfmpegProgress } from './ffmpeg-process.ts';
import { ladderEncoderArgs, ladderStreamMap, rungScaleGraph } from './ladder-encode.ts';
import { planLadder, type LadderPlan, type LadderRungInput } from './ladder-plan.ts';
import type { ProbeResult } from './probe.ts';
import type { LiveInput, LiveSourceInfo, ResolvedLiveSource } from './live-source.ts';

/** Names in the spool and on the origin's ingest (`{hlsIngestUrl}/{rung}/seg_{n}.m4s`). */
export const LIVE_FILES = {
  master: 'master.m3u8',
  playlist: 'index.m3u8',
  init: 'init.mp4',
  segmentPattern: 'seg_%d.m4s',
  audioDir: 'audio',
} as const;

/** A live media segment's file name: `seg_{n}.m4s`, n decimal without leading zeros. */
export const LIVE_SEGMENT_NAME = /^seg_(0|[1-9]\d*)\.m4s$/;

export function liveSegmentName(n: number): string {
  return `seg_${n}.m4s`;
}

/**
 * Shortest and longest live segment: short for latency, at least one second so requests stay few.
 * The default is 2 s, chosen by `npm run bench -- live` (bench/RESULTS.md): with N = 8 viewers and
 * the same hold-back, 2 s segments took 72-81% of bytes from peers at 5.0-5.6 s of latency and no
 * stalls, 1 s segments 42-68% at 4.5-4.8 s. The core's random HTTP prefetch, which puts a new segment
 * in the swarm before anyone needs it, runs at a rate per second, so it seeds twice the share of 2 s
 * segments; without it, several viewers at the front reach a segment within the relay time of each
 * other and all fetch it from the origin. A 2 s keyframe interval also encodes more efficiently.
 */
export const LIVE_SEGMENT_SECONDS = { min: 1, max: 2, default: 2 } as const;

/** The real-time factor a ladder must reach in the trial to go live: headroom for the rest of the machine. */
export const LIVE_MIN_SPEED = 1.2;

export interface PlanLiveLadderOptions {
  /** Per-eye widths to offer (never above the source). Default: the VOD ladder's. */
  eyeWidths?: readonly number[];
  /** Explicit rungs instead of planned ones. */
  rungs?: readonly LadderRungInput[];
  /** 1–2 s, rounded to whole frames. Default 1. */
  segmentSeconds?: number;
}

/** Plans the live ladder with the VOD planner: the source described as a probe of an hour-long video. */
export function planLiveLadder(info: LiveSourceInfo, options: PlanLiveLadderOptions = {}): LadderPlan {
  const segmentSeconds = options.segmentSeconds ?? LIVE_SEGMENT_SECONDS.default;
  if (!(segmentSeconds >= LIVE_SEGMENT_SECONDS.min && segmentSeconds <= LIVE_SEGMENT_SECONDS.max)) {
    throw new MediaError('INVALID_OPTIONS', `Live segments last ${LIVE_SEGMENT_SECONDS.min} to ${LIVE_SEGMENT_SECONDS.max} s (got ${segmentSeconds}).`);
  }
  // A nominal duration: the planner sizes thumbnails and the poster from it, which live does not use.
  const nominalSeconds = 3600;
  const probe: ProbeResult = {
    file: info.label,
    formatName: 'live',
    sizeBytes: 0,
    durationSeconds: nominalSeconds,
    bitRate: null,
    isStill: false,
    video: {
      index: 0,
      type: 'video',
      codec: 'live',
      bitRate: null,
      durationSeconds: nominalSeconds,
      profile: null,
      level: null,
      width: info.width,
      height: info.height,
      frameRate: info.fps,
      frameRateFraction: `${info.fps}/1`,
      pixelFormat: null,
      frameCount: null,
    },
    audio:
      info.audioChannels > 0
        ? {
            index: 1,
            type: 'audio',
            codec: 'live',
            bitRate: null,
            durationSeconds: nominalSeconds,
            profile: null,
            sampleRate: 48000,
            channels: info.audioChannels,
            channelLayout: null,
          }
        : null,
    streams: [],
    projection: { projection: info.projection, inferred: false, source: 'metadata', spherical: null, stereo: null },
  };
  return planLadder(probe, {
    segmentSeconds,
    projection: info.projection,
    ...(options.eyeWidths ? { eyeWidths: options.eyeWidths } : {}),
    ...(options.rungs ? { rungs: options.rungs } : {}),
  });
}

export interface LiveEncodeOptions {
  /** x264/x265 preset. Default `veryfast`. */
  preset?: string;
  /** Encoder tune. Default `zerolatency` (no B-frames, no lookahead: frames leave the encoder at once). */
  tune?: string;
  /** Number of the first segment (a restarted encoder continues the numbering). Default 0. */
  startNumber?: number;
  /** Segments in the spool's playlists: enough that the uploader sees every segment complete. Default 6. */
  listSize?: number;
}

/**
 * The arguments of the ONE ffmpeg process that encodes the live ladder into `spoolDir/{rung}/`:
 * `init_*.mp4` (named in each playlist's EXT-X-MAP), `seg_{n}.m4s` and `index.m3u8`, a sliding
 * playlist with EXT-X-PROGRAM-DATE-TIME that is replaced atomically after each segment is closed,
 * so a segment listed there is complete. Segments are never deleted by ffmpeg: the uploader removes
 * them once the origin has them. Rung encoding is the VOD ladder's (ladderEncoderArgs).
 */
export function buildLiveLadderArgs(plan: LadderPlan, input: LiveInput, spoolDir: string, options: LiveEncodeOptions = {}): string[] {
  if (plan.audio && !input.audio) throw new MediaError('INVALID_OPTIONS', 'The ladder has an audio rendition but the source has no audio.');
  const args = ['-y', ...input.args, '-filter_complex', rungScaleGraph(plan, input.video).join(';')];
  plan.rungs.forEach((_, i) => args.push('-map', `[v${i}]`));
  if (plan.audio && input.audio) args.push('-map', input.audio);
  args.push(...ladderEncoderArgs(plan, options.preset ?? 'veryfast', { tune: options.tune ?? 'zerolatency' }));
  args.push(
    '-f',
    'hls',
    '-hls_time',
    plan.segmentSeconds.toFixed(6),
    '-hls_list_size',
    String(options.listSize ?? 6),
    '-hls_segment_type',
    'fmp4',
    '-hls_flags',
    'independent_segments+program_date_time+temp_file',
    '-hls_segment_options',
    'movflags=+frag_discont',
    '-hls_fmp4_init_filename',
    LIVE_FILES.init,
    '-start_number',
    String(options.startNumber ?? 0),
    '-hls_segment_filename',
    path.join(spoolDir, '%v', LIVE_FILES.segmentPattern),
    '-var_stream_map',
    ladderStreamMap(plan),
    path.join(spoolDir, '%v', LIVE_FILES.playlist),
  );
  return args;
}

/** One real-time trial: a ladder encoded as fast as possible from `seconds` of the source. */
export interface LiveTrial {
  /** Rung names, highest first. */
  rungs: string[];
  /** Real-time factor (media seconds per wall second) ffmpeg reported at the end. */
  speed: number;
  /** Frames per second encoded (of each rung). */
  fps: number;
  seconds: number;
}

export interface LiveTrialOptions {
  /** Seconds of source per trial. Default 3. */
  seconds?: number;
  preset?: string;
  signal?: AbortSignal;
}

/** Encodes `seconds` of the source at `plan`'s ladder into a scratch folder and reports the speed. */
export async function measureLiveSpeed(plan: LadderPlan, source: ResolvedLiveSource, options: LiveTrialOptions = {}): Promise<LiveTrial> {
  const seconds = options.seconds ?? 3;
  const scratch = await mkdtemp(path.join(os.tmpdir(), 'spherecast-live-trial-'));
  let last: FfmpegProgress | undefined;
  const started = performance.now();
  try {
    await runFfmpeg({
      args: buildLiveLadderArgs(plan, source.trialInput(seconds), scratch, options.preset ? { preset: options.preset } : {}),
      durationSeconds: seconds,
      onProgress: (progress) => (last = progress),
      ...(options.signal ? { signal: options.signal } : {}),
    });
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
  const wall = (performance.now() - started) / 1000;
  // ffmpeg's own figure leaves out process start-up, which a running broadcast does not pay again.
  const speed = last && last.speed > 0 ? last.speed : seconds / wall;
  const fps = last && last.fps > 0 ? last.fps : (seconds * plan.frameRate) / wall;
  return { rungs: plan.rungs.map((rung) => rung.name), speed, fps, seconds };
}

/**
 * The ladder this machine encodes in real time: trial the whole planned ladder, then drop the top rung
 * until the trial reaches `minSpeed`. Throws LIVE_TOO_SLOW when even the lowest rung alone is too slow.
 */
export async function pickRealTimeLadder(
  plan: LadderPlan,
  source: ResolvedLiveSource,
  options: LiveTrialOptions & { minSpeed?: number; onTrial?: (trial: LiveTrial) => void } = {},
): Promise<{ plan: LadderPlan; trials: LiveTrial[] }> {
  const minSpeed = options.minSpeed ?? LIVE_MIN_SPEED;
  const trials: LiveTrial[] = [];
  // Highest first, whatever order the rungs came in.
  let rungs = [...plan.rungs].sort((a, b) => b.width * b.height - a.width * a.height);
  for (;;) {
    const candidate: LadderPlan = { ...plan, rungs };
    const trial = await measureLiveSpeed(candidate, source, options);
    trials.push(trial);
    options.onTrial?.(trial);
    if (trial.speed >= minSpeed) return { plan: candidate, trials };
    if (rungs.length === 1) {
      throw new MediaError(
        'LIVE_TOO_SLOW',
        `This machine encodes even the lowest rung (${rungs[0]!.name}) at only ${trial.speed.toFixed(2)}x real time (${minSpeed}x needed). Use a smaller source, fewer frames per second, a faster preset, or close other programs.`,
      );
    }
    rungs = rungs.slice(1);
  }
}
