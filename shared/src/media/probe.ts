import { stat } from 'node:fs/promises';
import { z } from 'zod';
import { PROJECTION_ASPECT, projectionSchema, type Projection } from '../projection.ts';
import { MediaError } from './errors.ts';
import { runFfprobe } from './ffmpeg-process.ts';

export const sphericalSideDataSchema = z.object({
  /** As ffprobe names it: `equirectangular`, `cubemap`, `tiled equirectangular`. */
  projection: z.string(),
  yaw: z.number(),
  pitch: z.number(),
  roll: z.number(),
});

export const projectionInfoSchema = z.object({
  /** Null when the picture is not a full-sphere layout we can play (no metadata and no 360 aspect, or a cubemap). */
  projection: projectionSchema.nullable(),
  /** True when guessed from the aspect ratio because the file carries no spherical metadata. */
  inferred: z.boolean(),
  source: z.enum(['metadata', 'aspect', 'none']),
  /** The "Spherical Mapping" side data (spatial-media V1 XML or V2 sv3d), when present. */
  spherical: sphericalSideDataSchema.nullable(),
  /** The "Stereo 3D" side data type (`2D`, `top and bottom`, `side by side`, …), when present. */
  stereo: z.string().nullable(),
});

export const streamTypeSchema = z.enum(['video', 'audio', 'subtitle', 'data', 'attachment', 'unknown']);

export const probeStreamSchema = z.object({
  index: z.number().int(),
  type: streamTypeSchema,
  codec: z.string(),
  bitRate: z.number().nullable(),
  durationSeconds: z.number().nullable(),
});

export const videoStreamSchema = probeStreamSchema.extend({
  type: z.literal('video'),
  profile: z.string().nullable(),
  /** Codec level as ffprobe reports it (H.264: 52 = 5.2; HEVC: level × 30, 153 = 5.1). */
  level: z.number().nullable(),
  width: z.number().int().positive(),
  height: z.number().int().positive(),
  /** Frames per second (from r_frame_rate, falling back to avg_frame_rate). */
  frameRate: z.number().nonnegative(),
  /** The exact rational, e.g. `30000/1001`. */
  frameRateFraction: z.string(),
  pixelFormat: z.string().nullable(),
  frameCount: z.number().int().nullable(),
});

export const audioStreamSchema = probeStreamSchema.extend({
  type: z.literal('audio'),
  profile: z.string().nullable(),
  sampleRate: z.number().int().nullable(),
  channels: z.number().int(),
  /** `stereo`, `5.1`, `ambisonic 1`, … (null when ffprobe does not name it). */
  channelLayout: z.string().nullable(),
});

export const probeResultSchema = z.object({
  file: z.string(),
  formatName: z.string(),
  sizeBytes: z.number().int().nonnegative(),
  /** Null for stills and streams without a known duration. */
  durationSeconds: z.number().nullable(),
  /** Container bit rate in bits per second. */
  bitRate: z.number().nullable(),
  /** A single picture (JPEG, PNG, …) rather than a video. */
  isStill: z.boolean(),
  video: videoStreamSchema,
  audio: audioStreamSchema.nullable(),
  streams: z.array(probeStreamSchema),
  projection: projectionInfoSchema,
});

export type ProbeResult = z.infer<typeof probeResultSchema>;
export type ProjectionInfo = z.infer<typeof projectionInfoSchema>;
export type VideoStreamInfo = z.infer<typeof videoStreamSchema>;
export type AudioStreamInfo = z.infer<typeof audioStreamSchema>;

/** The part of ffprobe's JSON we read; anything else is ignored. */
const numeric = z.union([z.number(), z.string()]).optional();
const ffprobeSideDataSchema = z.looseObject({
  side_data_type: z.string().optional(),
  projection: z.string().optional(),
  yaw: numeric,
  pitch: numeric,
  roll: numeric,
  type: z.string().optional(),
});
const ffprobeStreamSchema = z.looseObject({
  index: z.number(),
  codec_type: z.string().optional(),
  codec_name: z.string().optional(),
  profile: z.string().optional(),
  level: z.number().optional(),
  width: z.number().optional(),
  height: z.number().optional(),
  r_frame_rate: z.string().optional(),
  avg_frame_rate: z.string().optional(),
  pix_fmt: z.string().optional(),
  nb_frames: z.string().optional(),
  bit_rate: z.string().optional(),
  duration: z.string().optional(),
  sample_rate: z.string().optional(),
  channels: z.number().optional(),
  channel_layout: z.string().optional(),
  disposition: z.looseObject({ attached_pic: z.number().optional() }).optional(),
  side_data_list: z.array(ffprobeSideDataSchema).optional(),
});
const ffprobeOutputSchema = z.looseObject({
  streams: z.array(ffprobeStreamSchema).default([]),
  format: z
    .looseObject({
      format_name: z.string().optional(),
      duration: z.string().optional(),
      bit_rate: z.string().optional(),
      size: z.string().optional(),
    })
    .optional(),
});
type FfprobeStream = z.infer<typeof ffprobeStreamSchema>;

function toNumber(value: string | number | undefined): number | null {
  if (value === undefined) return null;
  const n = typeof value === 'number' ? value : Number.parseFloat(value);
  return Number.isFinite(n) ? n : null;
}

function parseRate(value: string | undefined): number {
  if (!value) return 0;
  const [num, den] = value.split('/').map(Number);
  if (num === undefined || !Number.isFinite(num)) return 0;
  if (den === undefined) return num;
  return den > 0 ? num / den : 0;
}

const STILL_FORMATS = /(^|,)(image2|png_pipe|jpeg_pipe|webp_pipe|tiff_pipe|bmp_pipe|jpegxl_pipe)(,|$)/;
const STILL_CODECS = new Set(['mjpeg', 'png', 'webp', 'tiff', 'bmp', 'jpegxl', 'jpeg2000']);

/** Within 1.5% of the aspect a projection implies. */
function matchesAspect(width: number, height: number, aspect: number): boolean {
  return Math.abs(width / height / aspect - 1) < 0.015;
}

/** Reads the projection from spherical side data, else infers it from the frame's aspect ratio. */
export function detectProjection(stream: Pick<FfprobeStream, 'side_data_list' | 'width' | 'height'>): ProjectionInfo {
  const sideData = stream.side_data_list ?? [];
  const mapping = sideData.find((s) => s.side_data_type === 'Spherical Mapping');
  const stereo3d = sideData.find((s) => s.side_data_type === 'Stereo 3D');
  const stereo = stereo3d?.type ?? null;
  if (mapping?.projection) {
    const spherical = {
      projection: mapping.projection,
      yaw: toNumber(mapping.yaw) ?? 0,
      pitch: toNumber(mapping.pitch) ?? 0,
      roll: toNumber(mapping.roll) ?? 0,
    };
    let projection: Projection | null = null;
    if (mapping.projection === 'equirectangular') {
      projection = stereo === 'top and bottom' ? 'stereo-top-bottom' : stereo === 'side by side' ? 'stereo-left-right' : 'equirectangular-mono';
    }
    return { projection, inferred: false, source: 'metadata', spherical, stereo };
  }
  const width = stream.width ?? 0;
  const height = stream.height ?? 0;
  if (width > 0 && height > 0) {
    for (const [projection, aspect] of Object.entries(PROJECTION_ASPECT) as [Projection, number][]) {
      if (matchesAspect(width, height, aspect)) return { projection, inferred: true, source: 'aspect', spherical: null, stereo };
    }
  }
  return { projection: null, inferred: true, source: 'none', spherical: null, stereo };
}

function streamType(codecType: string | undefined): z.infer<typeof streamTypeSchema> {
  const parsed = streamTypeSchema.safeParse(codecType);
  return parsed.success ? parsed.data : 'unknown';
}

/** Turns ffprobe's JSON into a ProbeResult (exported for tests of odd inputs). */
export function buildProbeResult(file: string, sizeBytes: number, raw: unknown): ProbeResult {
  const parsed = ffprobeOutputSchema.safeParse(raw);
  if (!parsed.success) throw new MediaError('INPUT_UNREADABLE', `ffprobe returned output we could not read for ${file}. Is it a media file?`);
  const { streams, format } = parsed.data;
  const formatName = format?.format_name ?? 'unknown';
  const videoRaw = streams.find((s) => s.codec_type === 'video' && !s.disposition?.attached_pic && (s.width ?? 0) > 0);
  if (!videoRaw) throw new MediaError('NO_VIDEO_STREAM', `${file} has no video stream. Spherecast needs a 360° video or photo.`);
  const audioRaw = streams.find((s) => s.codec_type === 'audio');
  const frameCount = toNumber(videoRaw.nb_frames);
  const isStill = STILL_FORMATS.test(formatName) || (STILL_CODECS.has(videoRaw.codec_name ?? '') && (frameCount === null || frameCount <= 1));
  const rFrameRate = parseRate(videoRaw.r_frame_rate);
  const avgFrameRate = parseRate(videoRaw.avg_frame_rate);
  const useAvg = !(rFrameRate > 0 && rFrameRate <= 240) && avgFrameRate > 0;
  const frameRate = isStill ? 0 : useAvg ? avgFrameRate : rFrameRate;
  const duration = isStill ? null : (toNumber(format?.duration) ?? toNumber(videoRaw.duration));

  const base = (s: FfprobeStream) => ({
    index: s.index,
    codec: s.codec_name ?? 'unknown',
    bitRate: toNumber(s.bit_rate),
    durationSeconds: toNumber(s.duration),
  });
  const result: ProbeResult = {
    file,
    formatName,
    sizeBytes,
    durationSeconds: duration,
    bitRate: toNumber(format?.bit_rate),
    isStill,
    video: {
      ...base(videoRaw),
      type: 'video',
      profile: videoRaw.profile ?? null,
      level: videoRaw.level !== undefined && videoRaw.level > 0 ? videoRaw.level : null,
      width: videoRaw.width ?? 0,
      height: videoRaw.height ?? 0,
      frameRate,
      frameRateFraction: (useAvg ? videoRaw.avg_frame_rate : videoRaw.r_frame_rate) ?? '0/0',
      pixelFormat: videoRaw.pix_fmt ?? null,
      frameCount: frameCount === null ? null : Math.round(frameCount),
    },
    audio: audioRaw
      ? {
          ...base(audioRaw),
          type: 'audio',
          profile: audioRaw.profile ?? null,
          sampleRate: toNumber(audioRaw.sample_rate),
          channels: audioRaw.channels ?? 0,
          channelLayout: audioRaw.channel_layout ?? null,
        }
      : null,
    streams: streams.map((s) => ({ ...base(s), type: streamType(s.codec_type) })),
    projection: detectProjection(videoRaw),
  };
  return probeResultSchema.parse(result);
}

/**
 * Probes a media file with ffprobe: duration, streams, codecs, resolution, frame rate, bit rates,
 * audio layout, and the 360° projection (from spherical side data, else inferred from the aspect).
 */
export async function probeMedia(file: string, options: { signal?: AbortSignal } = {}): Promise<ProbeResult> {
  let size: number;
  try {
    const info = await stat(file);
    if (!info.isFile()) throw new Error('not a regular file');
    size = info.size;
  } catch (error) {
    throw new MediaError('INPUT_NOT_FOUND', `Cannot read ${file}: ${(error as Error).message}. Check the path.`, { cause: error });
  }
  let text: string;
  try {
    text = await runFfprobe(['-show_format', '-show_streams', '-of', 'json', file], options);
  } catch (error) {
    if (error instanceof MediaError && error.code === 'FFMPEG_FAILED') {
      throw new MediaError('INPUT_UNREADABLE', `ffprobe cannot read ${file}; it is not a media file ffmpeg understands. ${error.message}`, {
        cause: error,
        stderrTail: error.stderrTail,
      });
    }
    throw error;
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new MediaError('INPUT_UNREADABLE', `ffprobe printed invalid JSON for ${file}.`, { cause: error });
  }
  return buildProbeResult(file, size, json);
}
