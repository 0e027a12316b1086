/**
 * What a live broadcast encodes: a local file looped, a generated 360 test pattern with the wall clock
 * burned in (for latency measurement), or a capture device (v4l2 on Linux, avfoundation on macOS,
 * dshow on Windows). Each becomes ffmpeg input arguments, paced at real time for the broadcast and
 * as fast as possible for the real-time trial.
 */
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import type { Projection } from '../projection.ts';
import { MediaError } from './errors.ts';
import { runFfmpeg, runFfprobe } from './ffmpeg-process.ts';
import { detectProjection, probeMedia, type ProbeResult } from './probe.ts';

/** The capture API of each platform that has one. */
export const CAPTURE_FORMATS = { linux: 'v4l2', darwin: 'avfoundation', win32: 'dshow' } as const satisfies Partial<Record<NodeJS.Platform, string>>;
export type CaptureFormat = (typeof CAPTURE_FORMATS)[keyof typeof CAPTURE_FORMATS];

export const liveSourceSchema = z.discriminatedUnion('kind', [
  z.object({
    kind: z.literal('test'),
    /** Frame width of the 2:1 equirectangular pattern. Default 1920. */
    width: z.number().int().min(128).max(7680).optional(),
    /** Default 30. */
    fps: z.number().int().min(1).max(60).optional(),
  }),
  z.object({ kind: z.literal('file'), path: z.string().min(1, 'Give the path of the file to loop.') }),
  z.object({
    kind: z.literal('device'),
    /** `/dev/video0` (v4l2), the device index or name (avfoundation), `video=Name` (dshow). */
    id: z.string().min(1, 'Give the capture device (see the list of devices).'),
  }),
]);
export type LiveSource = z.infer<typeof liveSourceSchema>;

/** A capture device this machine offers. */
export interface CaptureDevice {
  /** What to pass as a device source's `id`. */
  id: string;
  /** The name the system gives it. */
  name: string;
  format: CaptureFormat;
}

/** What the live ladder needs to know about a source. */
export interface LiveSourceInfo {
  /** A short human description ("test pattern 1920x960 at 30 fps", the file name, the device name). */
  label: string;
  width: number;
  height: number;
  fps: number;
  projection: Projection;
  /** Audio channels, 0 for none. */
  audioChannels: number;
}

/** ffmpeg input arguments for one run, with where the video and audio come from. */
export interface LiveInput {
  args: string[];
  video: string;
  audio: string | null;
}

export const TEST_PATTERN_FONT = '/usr/share/fonts/truetype/dejavu/DejaVuSansMono-Bold.ttf';

function even(n: number): number {
  return Math.max(2, Math.round(n / 2) * 2);
}

/**
 * The test pattern's filter: `testsrc2` at 2:1 with a 30° grid of longitudes and latitudes and the UTC
 * time of day in milliseconds at four longitudes (0, 90, 180, 270° from the left edge), so whichever
 * way a viewer looks the clock is in view. The time is the frame's pts plus the wall clock at start
 * (`clockOffsetSeconds`, seconds since UTC midnight): with `-re` pacing, frame pts follows the wall clock.
 */
export function testPatternFilter(width: number, fps: number, clockOffsetSeconds: number, font = TEST_PATTERN_FONT): string {
  const w = even(width);
  const h = even(width / 2);
  const size = Math.max(12, Math.round(h / 14));
  const clocks = [0, 1, 2, 3].map(
    (k) =>
      `drawtext=fontfile=${font}:text='UTC %{pts\\:hms\\:${clockOffsetSeconds.toFixed(3)}\\:24HH}':fontsize=${size}:fontcolor=white:box=1:boxcolor=black@0.7:boxborderw=${Math.round(size / 4)}:x=${w / 8 + (k * w) / 4}-tw/2:y=h/2-th/2`,
  );
  return [`testsrc2=s=${w}x${h}:r=${fps}`, `drawgrid=w=${w / 12}:h=${h / 6}:t=2:c=white@0.5`, ...clocks].join(',');
}

/** Seconds since UTC midnight, to the millisecond: the clock offset of a test pattern started now. */
export function utcSecondsOfDay(now = Date.now()): number {
  return (now % 86_400_000) / 1000;
}

/** Lists capture devices (v4l2/avfoundation/dshow); an empty list where the platform has none or none is plugged in. */
export async function listCaptureDevices(options: { platform?: NodeJS.Platform; signal?: AbortSignal; devDir?: string } = {}): Promise<CaptureDevice[]> {
  const platform = options.platform ?? process.platform;
  if (platform === 'linux') {
    const dir = options.devDir ?? '/dev';
    let names: string[];
    try {
      names = readdirSync(dir).filter((name) => /^video\d+$/.test(name));
    } catch {
      return [];
    }
    return names
      .sort((a, b) => Number(a.slice(5)) - Number(b.slice(5)))
      .map((name) => {
        const sys = `/sys/class/video4linux/${name}/name`;
        const label = existsSync(sys) ? readFileSync(sys, 'utf8').trim() : name;
        return { id: path.join(dir, name), name: label, format: 'v4l2' as const };
      });
  }
  if (platform !== 'darwin' && platform !== 'win32') return [];
  const format = CAPTURE_FORMATS[platform];
  // Both list their devices on stderr at info level and then fail (there is no input to open).
  let text: string;
  try {
    const result = await runFfmpeg({
      args: ['-loglevel', 'info', '-f', format, '-list_devices', 'true', '-i', platform === 'darwin' ? '' : 'dummy'],
      ...(options.signal ? { signal: options.signal } : {}),
    });
    text = result.stderrTail;
  } catch (error) {
    if (!(error instanceof MediaError) || error.code === 'CANCELLED') throw error;
    text = error.stderrTail ?? '';
  }
  return parseDeviceList(format, text);
}

/** Reads ffmpeg's `-list_devices true` output (video devices only). Exported for tests. */
export function parseDeviceList(format: 'avfoundation' | 'dshow', text: string): CaptureDevice[] {
  const devices: CaptureDevice[] = [];
  if (format === 'avfoundation') {
    let inVideo = false;
    for (const line of text.split(/\r?\n/)) {
      if (/AVFoundation video devices:/.test(line)) inVideo = true;
      else if (/AVFoundation audio devices:/.test(line)) inVideo = false;
      else if (inVideo) {
        const match = /\]\s*\[(\d+)\]\s*(.+)$/.exec(line);
        if (match) devices.push({ id: match[1]!, name: match[2]!.trim(), format });
      }
    }
  } else {
    for (const line of text.split(/\r?\n/)) {
      const match = /"([^"]+)"\s*\(video\)/.exec(line);
      if (match) devices.push({ id: `video=${match[1]!}`, name: match[1]!, format });
    }
  }
  return devices;
}

function captureFormat(platform: NodeJS.Platform = process.platform): CaptureFormat {
  const format = (CAPTURE_FORMATS as Partial<Record<NodeJS.Platform, CaptureFormat>>)[platform];
  if (!format)
    throw new MediaError(
      'INVALID_OPTIONS',
      `This platform (${platform}) has no capture API the studio knows (v4l2 on Linux, avfoundation on macOS, dshow on Windows); use --source test or a video file.`,
    );
  return format;
}

/** How ffmpeg (and ffprobe) open one capture device: the demuxer, its options, and the input URL. */
export interface CaptureDeviceInput {
  format: CaptureFormat;
  /** Demuxer options, before `-i` (understood by ffprobe too). */
  options: string[];
  url: string;
}

/**
 * The input of capture device `id` on `platform` (pure: no device is opened). v4l2 opens a device
 * node (`/dev/videoN`); avfoundation a video device index or name, without audio (`N:none`), at 30 fps
 * unless told (its default, 29.97, is refused by most cameras); dshow `video=Name` (a bare name gets
 * the prefix) with a real-time buffer large enough for a 4K camera. Throws for a platform without a
 * capture API or an id that cannot name a device there.
 */
export function captureDeviceInput(platform: NodeJS.Platform, id: string, options: { fps?: number; width?: number; height?: number } = {}): CaptureDeviceInput {
  const format = captureFormat(platform);
  const name = id.trim();
  if (!name) throw new MediaError('INVALID_OPTIONS', 'Give the capture device (see --list-devices).');
  const size = options.width && options.height ? ['-video_size', `${options.width}x${options.height}`] : [];
  switch (format) {
    case 'v4l2':
      if (!name.startsWith('/')) {
        throw new MediaError('INVALID_OPTIONS', `A Linux capture device is a device node like /dev/video0, not "${name}" (see --list-devices).`);
      }
      return { format, options: [...(options.fps ? ['-framerate', String(options.fps)] : []), ...size], url: name };
    case 'avfoundation':
      return { format, options: ['-framerate', String(options.fps ?? 30), ...size], url: name.includes(':') ? name : `${name}:none` };
    case 'dshow':
      return {
        format,
        options: ['-rtbufsize', '256M', ...(options.fps ? ['-framerate', String(options.fps)] : []), ...size],
        url: name.startsWith('video=') ? name : `video=${name}`,
      };
  }
}

/** The sentence for a device that is not there, with what the machine has instead. */
async function noSuchDevice(id: string, platform: NodeJS.Platform, signal?: AbortSignal): Promise<MediaError> {
  const devices = await listCaptureDevices({ platform, ...(signal ? { signal } : {}) }).catch(() => []);
  const instead = devices.length
    ? `This machine has: ${devices.map((d) => `${d.id} (${d.name})`).join(', ')}.`
    : `This machine has no video capture device; plug one in, or use --source test or a video file.`;
  return new MediaError('INPUT_NOT_FOUND', `There is no capture device ${id}. ${instead}`);
}

/** The projection a frame size implies, or a sentence saying the source is not 360. */
function projectionOf(label: string, width: number, height: number): Projection {
  const projection = detectProjection({ width, height }).projection;
  if (!projection) {
    throw new MediaError(
      'NOT_SPHERICAL',
      `${label} gives ${width}x${height}, which is not a 360° layout (2:1 or 1:1). Set the camera to its equirectangular (live) mode, or use another source.`,
    );
  }
  return projection;
}

/** A source, resolved: what it is (for the ladder planner) and how ffmpeg reads it. */
export interface ResolvedLiveSource {
  source: LiveSource;
  info: LiveSourceInfo;
  /** The probe of a file source (its projection from metadata), or null. */
  probe: ProbeResult | null;
  /** Inputs paced at real time (`-re`, or a device's own clock); `durationSeconds` stops the source cleanly. */
  liveInput(options?: { durationSeconds?: number; clockOffsetSeconds?: number }): LiveInput;
  /**
   * Inputs for the real-time trial: `seconds` of the source as fast as ffmpeg can read it. A device
   * cannot be read faster than real time, so its trial encodes the test pattern at the device's size
   * and frame rate (the encoders are most of the cost).
   */
  trialInput(seconds: number): LiveInput;
}

function testPatternInput(
  width: number,
  fps: number,
  audio: boolean,
  pace: boolean,
  durationSeconds: number | undefined,
  clockOffsetSeconds: number,
): LiveInput {
  const re = pace ? ['-re'] : [];
  const t = durationSeconds === undefined ? [] : ['-t', String(durationSeconds)];
  const args = [...re, ...t, '-f', 'lavfi', '-i', testPatternFilter(width, fps, clockOffsetSeconds)];
  // A 440 Hz tone with a louder beep each second: audio to check sync against the clock.
  if (audio) args.push(...re, ...t, '-f', 'lavfi', '-i', 'sine=frequency=440:beep_factor=4:sample_rate=48000');
  return { args, video: '0:v:0', audio: audio ? '1:a:0' : null };
}

/** Probes a source and returns how to read it. A file must be a 360 video; a device must give a 2:1 or 1:1 picture. */
export async function resolveLiveSource(source: LiveSource, options: { signal?: AbortSignal; platform?: NodeJS.Platform } = {}): Promise<ResolvedLiveSource> {
  const parsed = liveSourceSchema.parse(source);
  if (parsed.kind === 'test') {
    const width = even(parsed.width ?? 1920);
    const fps = parsed.fps ?? 30;
    return {
      source: parsed,
      probe: null,
      info: { label: `test pattern ${width}x${width / 2} at ${fps} fps`, width, height: width / 2, fps, projection: 'equirectangular-mono', audioChannels: 1 },
      liveInput: (o = {}) => testPatternInput(width, fps, true, true, o.durationSeconds, o.clockOffsetSeconds ?? utcSecondsOfDay()),
      trialInput: (seconds) => testPatternInput(width, fps, true, false, seconds, utcSecondsOfDay()),
    };
  }
  if (parsed.kind === 'file') {
    const probe = await probeMedia(parsed.path, options.signal ? { signal: options.signal } : {});
    if (probe.isStill) throw new MediaError('INVALID_OPTIONS', `${parsed.path} is a photo; a live source must be a video.`);
    const projection = probe.projection.projection ?? projectionOf(parsed.path, probe.video.width, probe.video.height);
    const audio = probe.audio && probe.audio.channels > 0 ? '0:a:0' : null;
    const input = (pace: boolean, seconds: number | undefined): LiveInput => ({
      // -stream_loop before -i repeats the file; timestamps keep increasing across loops.
      args: ['-stream_loop', '-1', ...(pace ? ['-re'] : []), ...(seconds === undefined ? [] : ['-t', String(seconds)]), '-i', parsed.path],
      video: '0:v:0',
      audio,
    });
    return {
      source: parsed,
      probe,
      info: {
        label: path.basename(parsed.path),
        width: probe.video.width,
        height: probe.video.height,
        fps: probe.video.frameRate > 0 ? probe.video.frameRate : 30,
        projection,
        audioChannels: probe.audio?.channels ?? 0,
      },
      liveInput: (o = {}) => input(true, o.durationSeconds),
      trialInput: (seconds) => input(false, seconds),
    };
  }
  const platform = options.platform ?? process.platform;
  const device = captureDeviceInput(platform, parsed.id);
  const { format } = device;
  if (format === 'v4l2' && !existsSync(device.url)) throw await noSuchDevice(device.url, platform, options.signal);
  const text = await runFfprobe(
    ['-f', format, ...device.options, '-show_streams', '-of', 'json', '-i', device.url],
    options.signal ? { signal: options.signal } : {},
  ).catch((error: unknown) => {
    throw new MediaError(
      'INPUT_NOT_FOUND',
      `Cannot open the capture device ${parsed.id} (${format}): ${error instanceof Error ? error.message : String(error)}. Check that it is plugged in and not used by another program (--list-devices shows what this machine has).`,
      { cause: error },
    );
  });
  const streams =
    (JSON.parse(text) as { streams?: { codec_type?: string; width?: number; height?: number; r_frame_rate?: string; channels?: number }[] }).streams ?? [];
  const video = streams.find((s) => s.codec_type === 'video' && s.width && s.height);
  if (!video?.width || !video.height) throw new MediaError('NO_VIDEO_STREAM', `The capture device ${parsed.id} gives no picture.`);
  const [num, den] = (video.r_frame_rate ?? '30/1').split('/').map(Number);
  const fps = num && den ? Math.round((num / den) * 1000) / 1000 : 30;
  const { width, height } = video;
  return {
    source: parsed,
    probe: null,
    info: { label: `${format} ${parsed.id}`, width, height, fps, projection: projectionOf(parsed.id, width, height), audioChannels: 0 },
    liveInput: (o = {}) => {
      const input = captureDeviceInput(platform, parsed.id, { fps });
      return {
        // A device delivers at its own pace: a queue keeps a busy encoder from dropping its frames at once.
        args: [
          '-thread_queue_size',
          '512',
          ...(o.durationSeconds === undefined ? [] : ['-t', String(o.durationSeconds)]),
          '-f',
          format,
          ...input.options,
          '-i',
          input.url,
        ],
        video: '0:v:0',
        audio: null,
      };
    },
    trialInput: (seconds) => testPatternInput(width, Math.round(fps), false, false, seconds, utcSecondsOfDay()),
  };
}
