import { readFile, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import { projectionSchema, type Projection } from '../projection.ts';
import { MediaError, toMediaError } from './errors.ts';
import { runFfmpeg } from './ffmpeg-process.ts';
import { codecStringsOf } from './codec-strings.ts';
import { parseMediaPlaylist, writeMasterPlaylist, type MasterVariant, type MediaPlaylist } from './hls-playlist.ts';
import { buildLadderArgs, LADDER_FILES } from './ladder-encode.ts';
import { planLadder, videoCodecSchema, type LadderPlan, type LadderRungInput } from './ladder-plan.ts';
import { injectSphericalMetadata } from './mp4-boxes.ts';
import { listFiles, StagedOutput } from './output-dir.ts';
import { probeMedia, type ProbeResult } from './probe.ts';
import { posterRungOutputSchema, writePosterRungs } from './poster-rungs.ts';
import { MediaJob, runJob, type MediaJobEvents } from './media-job.ts';

export interface TranscodeOptions {
  /** Source video. */
  input: string;
  /** Output folder: `OUT/master.m3u8` and everything it references. */
  out: string;
  /** A probe already made of the input. */
  probe?: ProbeResult;
  /** Rungs to encode instead of the planned ladder. */
  rungs?: readonly LadderRungInput[];
  /** Per-eye widths for the planned ladder (default 5760, 3840, 2560, 1920, 1280; never above the source). */
  eyeWidths?: readonly number[];
  /** Default 4 s, rounded to whole frames. */
  segmentSeconds?: number;
  /** Override the probed projection (e.g. a 2:1 file that the probe could not identify). */
  projection?: Projection;
  /** x264/x265 preset. Default `veryfast`. */
  preset?: string;
  /** Also write `download.mp4`: the top rung and audio remuxed, with spherical metadata. Default false. */
  mp4?: boolean;
  /** Replace a non-empty OUT. Default false (OUTPUT_EXISTS). */
  overwrite?: boolean;
}

export const TRANSCODE_PHASES = ['probe', 'encode', 'package'] as const;
export type TranscodePhase = (typeof TRANSCODE_PHASES)[number];

export interface TranscodeProgress {
  phase: TranscodePhase;
  /** 0–100 over the whole job. */
  percent: number;
  /** Frames encoded per second (encode phase). */
  fps: number;
  /** Speed relative to real time. */
  speed: number;
  /** Seconds left; null until known. */
  etaSeconds: number | null;
}

export const transcodeVariantSchema = z.object({
  name: z.string(),
  width: z.number().int(),
  height: z.number().int(),
  codec: videoCodecSchema,
  /** RFC 6381 codec string of the video, from its init segment. */
  videoCodecString: z.string(),
  /** The CODECS attribute: video plus audio. */
  codecs: z.string(),
  bandwidth: z.number().int(),
  averageBandwidth: z.number().int(),
  frameRate: z.number(),
  playlist: z.string(),
  init: z.string(),
  segments: z.array(z.string()),
});

export const transcodeResultSchema = z.object({
  outDir: z.string(),
  master: z.string(),
  projection: projectionSchema,
  durationSeconds: z.number(),
  segmentSeconds: z.number(),
  gopFrames: z.number().int(),
  variants: z.array(transcodeVariantSchema),
  audio: z
    .object({ playlist: z.string(), codecString: z.string(), channels: z.number().int(), bandwidth: z.number().int(), averageBandwidth: z.number().int() })
    .nullable(),
  poster: z.string(),
  /** Smaller copies of the poster for `srcset` (WebP + JPEG each), narrowest first. */
  posters: z.array(posterRungOutputSchema),
  thumbnails: z.object({ sprite: z.string(), vtt: z.string(), json: z.string() }),
  mp4: z.string().nullable(),
  /** Every file in OUT, relative POSIX paths. */
  files: z.array(z.string()),
  elapsedSeconds: z.number(),
});
export type TranscodeVariant = z.infer<typeof transcodeVariantSchema>;
export type TranscodeResult = z.infer<typeof transcodeResultSchema>;

export type TranscodeEvents = MediaJobEvents<TranscodeResult, TranscodeProgress>;

const ENCODE_SHARE = 95;

/** Peak segment bit rate (RFC 8216bis §4.4.6.2): contiguous segments lasting 0.5–1.5 × target duration. */
export function peakBitRate(segments: readonly { bytes: number; durationSeconds: number }[], targetDuration: number): number {
  let peak = 0;
  for (let i = 0; i < segments.length; i++) {
    let bytes = 0;
    let duration = 0;
    for (let j = i; j < segments.length; j++) {
      bytes += segments[j]!.bytes;
      duration += segments[j]!.durationSeconds;
      if (duration > 1.5 * targetDuration) break;
      if (duration >= 0.5 * targetDuration && duration > 0) peak = Math.max(peak, (bytes * 8) / duration);
    }
  }
  if (peak === 0) {
    // A single clip shorter than half a target duration: its own rate.
    const bytes = segments.reduce((n, s) => n + s.bytes, 0);
    const duration = segments.reduce((n, s) => n + s.durationSeconds, 0);
    peak = duration > 0 ? (bytes * 8) / duration : 0;
  }
  return peak;
}

interface MeasuredPlaylist {
  playlist: MediaPlaylist;
  peak: number;
  average: number;
  init: Uint8Array;
}

async function measure(dir: string, rel: string): Promise<MeasuredPlaylist> {
  const playlistPath = path.join(dir, rel);
  const playlist = parseMediaPlaylist(await readFile(playlistPath, 'utf8'));
  if (!playlist.initUri || playlist.segments.length === 0) {
    throw new MediaError('FFMPEG_FAILED', `ffmpeg wrote an empty playlist ${rel}; the input may have no decodable frames.`);
  }
  const base = path.dirname(playlistPath);
  const sized = await Promise.all(
    playlist.segments.map(async (s) => ({ bytes: (await stat(path.join(base, s.uri))).size, durationSeconds: s.durationSeconds })),
  );
  const target = playlist.targetDuration ?? Math.ceil(Math.max(...sized.map((s) => s.durationSeconds)));
  const totalBytes = sized.reduce((n, s) => n + s.bytes, 0);
  const totalDuration = sized.reduce((n, s) => n + s.durationSeconds, 0);
  return {
    playlist,
    peak: peakBitRate(sized, target),
    average: totalDuration > 0 ? (totalBytes * 8) / totalDuration : 0,
    init: await readFile(path.join(base, playlist.initUri)),
  };
}

function vttTime(seconds: number): string {
  const ms = Math.round(seconds * 1000);
  const h = Math.floor(ms / 3_600_000);
  const m = Math.floor((ms % 3_600_000) / 60_000);
  const s = Math.floor((ms % 60_000) / 1000);
  const pad = (n: number, w = 2) => String(n).padStart(w, '0');
  return `${pad(h)}:${pad(m)}:${pad(s)}.${pad(ms % 1000, 3)}`;
}

/** The WebVTT and JSON indexes of the thumbnail sprite. */
export function thumbnailIndex(plan: LadderPlan): { vtt: string; json: string } {
  const t = plan.thumbnails;
  const cues = Array.from({ length: t.count }, (_, i) => ({
    start: i * t.intervalSeconds,
    end: Math.min((i + 1) * t.intervalSeconds, plan.durationSeconds),
    x: (i % t.columns) * t.width,
    y: Math.floor(i / t.columns) * t.height,
  }));
  const vtt = ['WEBVTT', ''];
  for (const c of cues) vtt.push(`${vttTime(c.start)} --> ${vttTime(c.end)}`, `${LADDER_FILES.sprite}#xywh=${c.x},${c.y},${t.width},${t.height}`, '');
  const json = {
    sprite: LADDER_FILES.sprite,
    width: t.width,
    height: t.height,
    columns: t.columns,
    rows: t.rows,
    intervalSeconds: t.intervalSeconds,
    cues,
  };
  return { vtt: vtt.join('\n'), json: `${JSON.stringify(json, null, 2)}\n` };
}

/**
 * Transcodes a 360° video to an HLS ladder. `start()` runs the job once: probe, plan, one ffmpeg
 * process for all rungs, then packaging (spherical boxes into every init segment, codec strings,
 * measured bandwidths, master playlist, thumbnail index). Output appears in OUT only on success.
 */
export class TranscodeJob extends MediaJob<TranscodeResult, TranscodeProgress> {
  readonly options: TranscodeOptions;
  protected readonly kind = 'transcode';
  protected readonly cancelledMessage = 'The transcode was cancelled; nothing was written.';
  #plan: LadderPlan | undefined;

  constructor(options: TranscodeOptions) {
    super();
    this.options = options;
  }

  /** The plan, once the job has made it. */
  get plan(): LadderPlan | undefined {
    return this.#plan;
  }

  protected toFailure(error: unknown): MediaError {
    return toMediaError(error, 'FFMPEG_FAILED', 'The transcode failed');
  }

  #progress(progress: TranscodeProgress): void {
    this.emit('progress', progress);
  }

  protected async run(): Promise<TranscodeResult> {
    const started = Date.now();
    const { options } = this;
    const { signal } = this;
    this.#progress({ phase: 'probe', percent: 0, fps: 0, speed: 0, etaSeconds: null });
    const probe = options.probe ?? (await probeMedia(options.input, { signal }));
    const plan = planLadder(probe, {
      ...(options.segmentSeconds === undefined ? {} : { segmentSeconds: options.segmentSeconds }),
      ...(options.eyeWidths ? { eyeWidths: options.eyeWidths } : {}),
      ...(options.rungs ? { rungs: options.rungs } : {}),
      ...(options.projection ? { projection: options.projection } : {}),
    });
    this.#plan = plan;
    const staged = await StagedOutput.create(options.out, options.overwrite ?? false);
    try {
      if (signal.aborted) throw new MediaError('CANCELLED', 'The transcode was cancelled.');
      // ffmpeg's first -progress report waits for every output's first packet (encoder lookahead).
      this.#progress({ phase: 'encode', percent: 0, fps: 0, speed: 0, etaSeconds: null });
      await runFfmpeg({
        args: buildLadderArgs(plan, options.input, staged.tmp, options.preset ? { preset: options.preset } : {}),
        signal,
        durationSeconds: plan.durationSeconds,
        onProgress: (p) =>
          this.#progress({
            phase: 'encode',
            percent: ((p.percent ?? 0) * ENCODE_SHARE) / 100,
            fps: p.fps,
            speed: p.speed,
            etaSeconds: p.etaSeconds,
          }),
      });
      this.#progress({ phase: 'package', percent: ENCODE_SHARE, fps: 0, speed: 0, etaSeconds: null });
      const result = await packageLadder(plan, staged.tmp, signal, { mp4: options.mp4 ?? false });
      if (signal.aborted) throw new MediaError('CANCELLED', 'The transcode was cancelled.');
      await staged.commit();
      const final = { ...result, outDir: staged.out, files: await listFiles(staged.out), elapsedSeconds: (Date.now() - started) / 1000 };
      this.#progress({ phase: 'package', percent: 100, fps: 0, speed: 0, etaSeconds: 0 });
      return transcodeResultSchema.parse(final);
    } catch (error) {
      await staged.discard();
      throw error;
    }
  }
}

/**
 * Packages an encoded ladder folder in place: spherical boxes into every init segment, codec strings,
 * measured bandwidths, the master playlist, the thumbnail index, poster sizes, `ladder.json` (and
 * `download.mp4` when asked). Used by the one-process transcode and by the chunked one's join.
 */
export async function packageLadder(
  plan: LadderPlan,
  dir: string,
  signal: AbortSignal,
  options: { mp4: boolean },
): Promise<Omit<TranscodeResult, 'outDir' | 'files' | 'elapsedSeconds'>> {
  let audio: TranscodeResult['audio'] = null;
  let audioMeasure: MeasuredPlaylist | undefined;
  if (plan.audio) {
    const rel = `${LADDER_FILES.audioDir}/${LADDER_FILES.playlist}`;
    audioMeasure = await measure(dir, rel);
    const codec = codecStringsOf(audioMeasure.init).find((t) => t.handler === 'soun')?.codec;
    if (!codec) throw new MediaError('MP4_MALFORMED', 'The audio init segment has no audio track; re-run the transcode.');
    audio = {
      playlist: rel,
      codecString: codec,
      channels: plan.audio.channels,
      bandwidth: Math.round(audioMeasure.peak),
      averageBandwidth: Math.round(audioMeasure.average),
    };
  }
  const variants: TranscodeVariant[] = [];
  for (const rung of plan.rungs) {
    const rel = `${rung.name}/${LADDER_FILES.playlist}`;
    const m = await measure(dir, rel);
    const initPath = path.join(dir, rung.name, m.playlist.initUri!);
    // ffmpeg's HLS muxer drops spherical side data: write st3d/sv3d into the init segment ourselves.
    const init = injectSphericalMetadata(m.init, plan.projection);
    await writeFile(initPath, init);
    const videoCodecString = codecStringsOf(init).find((t) => t.handler === 'vide')?.codec;
    if (!videoCodecString) throw new MediaError('MP4_MALFORMED', `The init segment of ${rung.name} has no video track; re-run the transcode.`);
    variants.push({
      name: rung.name,
      width: rung.width,
      height: rung.height,
      codec: rung.codec,
      videoCodecString,
      codecs: audio ? `${videoCodecString},${audio.codecString}` : videoCodecString,
      bandwidth: Math.round(m.peak + (audioMeasure?.peak ?? 0)),
      averageBandwidth: Math.round(m.average + (audioMeasure?.average ?? 0)),
      frameRate: plan.frameRate,
      playlist: rel,
      init: `${rung.name}/${m.playlist.initUri}`,
      segments: m.playlist.segments.map((s) => `${rung.name}/${s.uri}`),
    });
  }
  const master = writeMasterPlaylist({
    projection: plan.projection,
    variants: variants.map<MasterVariant>((v) => ({
      uri: v.playlist,
      bandwidth: v.bandwidth,
      averageBandwidth: v.averageBandwidth,
      width: v.width,
      height: v.height,
      frameRate: v.frameRate,
      codecs: v.codecs,
    })),
    audio: audio ? { uri: audio.playlist, groupId: 'audio', name: 'Audio', channels: audio.channels } : null,
  });
  await writeFile(path.join(dir, LADDER_FILES.master), master);
  const index = thumbnailIndex(plan);
  await writeFile(path.join(dir, LADDER_FILES.thumbnailsVtt), index.vtt);
  await writeFile(path.join(dir, LADDER_FILES.thumbnailsJson), index.json);

  const posters = await writePosterRungs({ poster: path.join(dir, LADDER_FILES.poster), width: plan.poster.width, height: plan.poster.height, signal });

  let mp4: string | null = null;
  if (options.mp4) {
    const top = variants.reduce((a, b) => (b.width * b.height > a.width * a.height ? b : a));
    const mp4Path = path.join(dir, LADDER_FILES.mp4);
    await runFfmpeg({
      signal,
      args: [
        '-y',
        '-i',
        path.join(dir, top.playlist),
        ...(audio ? ['-i', path.join(dir, audio.playlist), '-map', '0:v:0', '-map', '1:a:0'] : ['-map', '0:v:0']),
        '-c',
        'copy',
        '-movflags',
        '+faststart',
        ...(top.codec === 'hevc' ? ['-tag:v', 'hvc1'] : []),
        mp4Path,
      ],
    });
    await writeFile(mp4Path, injectSphericalMetadata(await readFile(mp4Path), plan.projection));
    mp4 = LADDER_FILES.mp4;
  }

  const result = {
    master: LADDER_FILES.master,
    projection: plan.projection,
    durationSeconds: plan.durationSeconds,
    segmentSeconds: plan.segmentSeconds,
    gopFrames: plan.gopFrames,
    variants,
    audio,
    poster: LADDER_FILES.poster,
    posters,
    thumbnails: { sprite: LADDER_FILES.sprite, vtt: LADDER_FILES.thumbnailsVtt, json: LADDER_FILES.thumbnailsJson },
    mp4,
  };
  // ladder.json: what publish and the studio need to know about OUT without parsing playlists.
  await writeFile(path.join(dir, LADDER_FILES.manifest), `${JSON.stringify({ kind: 'video', ...result }, null, 2)}\n`);
  return result;
}

/** Runs a TranscodeJob to completion; `onProgress` and `signal` are wired to the job. */
export function transcodeLadder(
  options: TranscodeOptions & { signal?: AbortSignal; onProgress?: (progress: TranscodeProgress) => void },
): Promise<TranscodeResult> {
  return runJob(new TranscodeJob(options), options);
}
