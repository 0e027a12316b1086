import { z } from 'zod';
import { projectionSchema, type Projection } from '../projection.ts';
import { MediaError } from './errors.ts';
import { fitsH264Level52, fitsHevcHeadset } from './headset-limits.ts';
import type { ProbeResult } from './probe.ts';

/** Per-eye equirectangular widths of the default ladder, highest first. */
export const LADDER_EYE_WIDTHS = [5760, 3840, 2560, 1920, 1280] as const;

export const videoCodecSchema = z.enum(['h264', 'hevc']);
export type VideoCodec = z.infer<typeof videoCodecSchema>;

/** A rung as a user or the studio may edit it. */
export const ladderRungSchema = z.object({
  /** Folder name of the rung inside OUT (letters, digits, `-`, `_`). */
  name: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'Use letters, digits, - and _ in rung names.'),
  width: z.number().int().min(64).max(16384),
  height: z.number().int().min(32).max(16384),
  videoBitrateKbps: z.number().int().min(100).max(300_000),
  /** Default: H.264 when the rung fits H.264 level 5.2 limits, else HEVC. */
  codec: videoCodecSchema.optional(),
});
export type LadderRungInput = z.input<typeof ladderRungSchema>;

export const plannedRungSchema = ladderRungSchema.extend({
  codec: videoCodecSchema,
  maxrateKbps: z.number().int(),
  bufsizeKbps: z.number().int(),
});
export type PlannedRung = z.infer<typeof plannedRungSchema>;

export const ladderPlanSchema = z.object({
  projection: projectionSchema,
  /** Source frame rate, kept on every rung. */
  frameRate: z.number().positive(),
  /** Keyframe interval in frames: every segment starts with a keyframe on every rung. */
  gopFrames: z.number().int().positive(),
  /** Segment duration: gopFrames / frameRate. */
  segmentSeconds: z.number().positive(),
  durationSeconds: z.number().positive(),
  rungs: z.array(plannedRungSchema).min(1),
  audio: z.object({ bitrateKbps: z.number().int(), channels: z.number().int().min(1).max(2) }).nullable(),
  thumbnails: z.object({
    intervalSeconds: z.number().positive(),
    count: z.number().int().positive(),
    columns: z.number().int().positive(),
    rows: z.number().int().positive(),
    width: z.number().int(),
    height: z.number().int(),
  }),
  poster: z.object({ frame: z.number().int().nonnegative(), width: z.number().int(), height: z.number().int() }),
});
export type LadderPlan = z.infer<typeof ladderPlanSchema>;

export interface PlanLadderOptions {
  /** Target segment duration in seconds. Default 4. Rounded to a whole number of frames. */
  segmentSeconds?: number;
  /** Per-eye widths to offer (never above the source). Default LADDER_EYE_WIDTHS. */
  eyeWidths?: readonly number[];
  /** Explicit rungs instead of planned ones (the studio's ladder editor). */
  rungs?: readonly LadderRungInput[];
  /** Projection to use instead of the probed one. */
  projection?: Projection;
  /** Bits per pixel per frame for H.264 and HEVC. Default 0.07 and 0.045. */
  bitsPerPixel?: { h264?: number; hevc?: number };
}

function even(n: number): number {
  return Math.max(2, Math.round(n / 2) * 2);
}

/** Frame size for a per-eye equirectangular width. */
function frameSize(projection: Projection, eyeWidth: number): { width: number; height: number } {
  const eyeHeight = even(eyeWidth / 2);
  if (projection === 'stereo-top-bottom') return { width: even(eyeWidth), height: eyeHeight * 2 };
  if (projection === 'stereo-left-right') return { width: even(eyeWidth) * 2, height: eyeHeight };
  return { width: even(eyeWidth), height: eyeHeight };
}

function eyeWidthOf(projection: Projection, width: number): number {
  return projection === 'stereo-left-right' ? width / 2 : width;
}

/** Bit rate for a rung: pixels × frame rate × bits per pixel, with high frame rates counted sub-linearly. */
export function rungBitrateKbps(width: number, height: number, fps: number, codec: VideoCodec, bpp = codec === 'h264' ? 0.07 : 0.045): number {
  const effectiveFps = fps <= 30 ? fps : 30 * (fps / 30) ** 0.75;
  return Math.max(300, Math.round((width * height * effectiveFps * bpp) / 1000 / 50) * 50);
}

/** H.264 where headsets can decode it (level ≤ 5.2), else HEVC. */
export function codecFor(width: number, height: number, fps: number): VideoCodec {
  return fitsH264Level52(width, height, fps) ? 'h264' : 'hevc';
}

/**
 * Plans the ladder from a probe: 2:1 rungs for mono equirectangular (3840x1920, 2560x1280, …),
 * 1:1 for top-bottom stereo, never above the source; H.264 up to level 5.2, HEVC above; one GOP
 * per segment so every rung has keyframes at the same frames.
 */
export function planLadder(probe: ProbeResult, options: PlanLadderOptions = {}): LadderPlan {
  const projection = options.projection ?? probe.projection.projection;
  if (!projection) {
    throw new MediaError(
      'NOT_SPHERICAL',
      `${probe.file} is not a 360° layout (${probe.video.width}x${probe.video.height}, no spherical metadata). Pass the projection explicitly if it is one.`,
    );
  }
  if (probe.isStill) throw new MediaError('INVALID_OPTIONS', `${probe.file} is a photo; use the photo pipeline (transcodePhoto) for stills.`);
  const duration = probe.durationSeconds;
  if (!duration || duration <= 0) throw new MediaError('INPUT_UNREADABLE', `${probe.file} has no duration; is the file complete?`);
  const fps = probe.video.frameRate > 0 ? probe.video.frameRate : 30;
  const gopFrames = Math.max(1, Math.round((options.segmentSeconds ?? 4) * fps));
  const segmentSeconds = gopFrames / fps;
  const source = { width: probe.video.width, height: probe.video.height };

  const finish = (rung: LadderRungInput): PlannedRung => {
    const parsed = ladderRungSchema.parse(rung);
    if (parsed.width % 2 || parsed.height % 2)
      throw new MediaError('INVALID_OPTIONS', `Rung ${parsed.name} is ${parsed.width}x${parsed.height}; use even sizes.`);
    const codec = parsed.codec ?? codecFor(parsed.width, parsed.height, fps);
    if (codec === 'hevc' && !fitsHevcHeadset(parsed.width, parsed.height, fps)) {
      throw new MediaError(
        'INVALID_OPTIONS',
        `Rung ${parsed.name} (${parsed.width}x${parsed.height} at ${fps} fps) is beyond what headsets decode; use 5760x2880 or less.`,
      );
    }
    return { ...parsed, codec, maxrateKbps: Math.round(parsed.videoBitrateKbps * 1.5), bufsizeKbps: Math.round(parsed.videoBitrateKbps * 2) };
  };

  let rungs: PlannedRung[];
  if (options.rungs && options.rungs.length > 0) {
    rungs = options.rungs.map(finish);
    const names = new Set(rungs.map((r) => r.name));
    if (names.size !== rungs.length) throw new MediaError('INVALID_OPTIONS', 'Rung names must be unique.');
  } else {
    const sourceEye = eyeWidthOf(projection, source.width);
    const widths = [...(options.eyeWidths ?? LADDER_EYE_WIDTHS)].sort((a, b) => b - a).filter((w) => w <= sourceEye);
    const sizes = widths.map((w) => frameSize(projection, w)).filter((s) => s.width <= source.width && s.height <= source.height);
    // A source smaller than the lowest rung gets one rung at its own size.
    if (sizes.length === 0) sizes.push({ width: even(source.width - 1), height: even(source.height - 1) });
    rungs = sizes
      .filter((s) => fitsHevcHeadset(s.width, s.height, fps))
      .map((s) => {
        const codec = codecFor(s.width, s.height, fps);
        const bpp = codec === 'h264' ? options.bitsPerPixel?.h264 : options.bitsPerPixel?.hevc;
        return finish({
          name: `${s.width}x${s.height}`,
          width: s.width,
          height: s.height,
          codec,
          videoBitrateKbps: rungBitrateKbps(s.width, s.height, fps, codec, bpp),
        });
      });
    if (rungs.length === 0) throw new MediaError('INVALID_OPTIONS', `No rung of the ladder fits headset decoders at ${fps} fps; lower the frame rate.`);
  }

  const audio =
    probe.audio && probe.audio.channels > 0 ? { bitrateKbps: probe.audio.channels >= 2 ? 128 : 96, channels: Math.min(2, probe.audio.channels) } : null;
  const intervalSeconds = Math.max(1, Math.ceil(duration / 100));
  const count = Math.max(1, Math.ceil(duration / intervalSeconds - 1e-6));
  const columns = Math.min(10, count);
  const top = rungs.reduce((a, b) => (b.width * b.height > a.width * a.height ? b : a));
  const eyeAspectHeight = (w: number) => even(w / 2);
  const posterWidth = Math.min(1920, even(eyeWidthOf(projection, top.width)));
  // The poster frame must exist: count frames over the video stream's own duration when known.
  const totalFrames = Math.max(1, probe.video.frameCount ?? Math.floor((probe.video.durationSeconds ?? duration) * fps));
  return ladderPlanSchema.parse({
    projection,
    frameRate: fps,
    gopFrames,
    segmentSeconds,
    durationSeconds: duration,
    rungs,
    audio,
    thumbnails: { intervalSeconds, count, columns, rows: Math.ceil(count / columns), width: 256, height: 128 },
    poster: {
      frame: Math.min(totalFrames - 1, Math.round(Math.min(duration * 0.1, 10) * fps)),
      width: posterWidth,
      height: eyeAspectHeight(posterWidth),
    },
  });
}
