import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { Projection } from '../projection.ts';
import { runFfmpeg } from './ffmpeg-process.ts';
import type { RgbImage } from './png.ts';

export interface SampleFramesOptions {
  file: string;
  width: number;
  height: number;
  projection: Projection;
  /** Media times to sample, in seconds. */
  times: readonly number[];
  frameRate: number;
  /** Columns kept on each side of the 0/360° wrap. Default 32. */
  edgeColumns?: number;
  /** Side of the square pole viewports. Default 128. */
  viewportSize?: number;
  /** Field of view of the pole viewports in degrees. Default 90. */
  viewportFov?: number;
  signal?: AbortSignal;
}

/**
 * One eye's wrap strip of one frame: `2 × edgeColumns` wide, the eye's height tall. The first half
 * holds the rightmost columns (ending at 360°), the second half the leftmost (starting at 0°), so
 * the wrap runs down the middle, exactly as a viewer crossing it sees the picture.
 */
export interface WrapStrip extends RgbImage {
  time: number;
  eye: 0 | 1;
}

export interface SampledFrames {
  strips: WrapStrip[];
  /** Zenith viewports (first eye), one per sampled time. */
  zenith: RgbImage[];
  /** Nadir viewports (first eye), one per sampled time. */
  nadir: RgbImage[];
  edgeColumns: number;
}

function splitFrames(buf: Buffer, width: number, height: number): RgbImage[] {
  const size = width * height * 3;
  const frames: RgbImage[] = [];
  for (let offset = 0; offset + size <= buf.length; offset += size) {
    frames.push({ width, height, data: new Uint8Array(buf.subarray(offset, offset + size)) });
  }
  return frames;
}

/**
 * Reads, in one ffmpeg process, the wrap columns and the zenith/nadir viewports (rendered with
 * `v360`) of frames at the given times, as raw RGB24. Each time is its own input with `-ss`/`-t`,
 * so ffmpeg decodes only from the keyframe before each sample rather than the whole clip.
 */
export async function sampleSphericalFrames(options: SampleFramesOptions): Promise<SampledFrames> {
  const { width, height, projection, times } = options;
  const k = Math.min(options.edgeColumns ?? 32, Math.floor(width / 8));
  const view = options.viewportSize ?? 128;
  const fov = options.viewportFov ?? 90;
  const eyes = projection === 'stereo-left-right' ? 2 : 1;
  const eyeW = width / eyes;
  // Top-bottom stereo: both eyes share the wrap columns; the strips span the whole height.
  const stripH = height;
  const inStereo = projection === 'stereo-top-bottom' ? 'tb' : projection === 'stereo-left-right' ? 'sbs' : '2d';
  const frameDuration = options.frameRate > 0 ? 1 / options.frameRate : 0.04;

  const inputs: string[] = [];
  const graph: string[] = [];
  const stripLabels: string[] = [];
  times.forEach((time, i) => {
    inputs.push('-ss', time.toFixed(3), '-t', (frameDuration * 1.5).toFixed(4), '-i', options.file);
    graph.push(
      `[${i}:v]trim=end_frame=1,setpts=PTS-STARTPTS,format=rgb24,split=${2 * eyes + 2}${Array.from({ length: 2 * eyes + 2 }, (_, j) => `[i${i}s${j}]`).join('')}`,
    );
    for (let eye = 0; eye < eyes; eye++) {
      const x0 = eye * eyeW;
      graph.push(`[i${i}s${2 * eye}]crop=${k}:${stripH}:${x0 + eyeW - k}:0[i${i}r${eye}]`);
      graph.push(`[i${i}s${2 * eye + 1}]crop=${k}:${stripH}:${x0}:0[i${i}l${eye}]`);
      graph.push(`[i${i}r${eye}][i${i}l${eye}]hstack[strip${i}e${eye}]`);
      stripLabels.push(`[strip${i}e${eye}]`);
    }
    const v360 = (pitch: number) =>
      `v360=input=e:output=flat:in_stereo=${inStereo}:out_stereo=2d:h_fov=${fov}:v_fov=${fov}:w=${view}:h=${view}:pitch=${pitch}:interp=linear`;
    graph.push(`[i${i}s${2 * eyes}]${v360(90)}[zen${i}]`);
    graph.push(`[i${i}s${2 * eyes + 1}]${v360(-90)}[nad${i}]`);
  });
  const n = times.length;
  graph.push(`${stripLabels.join('')}concat=n=${stripLabels.length}:v=1:a=0,format=rgb24[strips]`);
  graph.push(`${times.map((_, i) => `[zen${i}]`).join('')}concat=n=${n}:v=1:a=0,format=rgb24[zenith]`);
  graph.push(`${times.map((_, i) => `[nad${i}]`).join('')}concat=n=${n}:v=1:a=0,format=rgb24[nadir]`);

  const dir = await mkdtemp(path.join(os.tmpdir(), 'spherecast-frames-'));
  try {
    const out = (name: string) => path.join(dir, `${name}.rgb`);
    await runFfmpeg({
      signal: options.signal,
      args: [
        ...inputs,
        '-filter_complex',
        graph.join(';'),
        ...['strips', 'zenith', 'nadir'].flatMap((name) => [
          '-map',
          `[${name}]`,
          '-f',
          'rawvideo',
          '-pix_fmt',
          'rgb24',
          '-fps_mode',
          'passthrough',
          '-y',
          out(name),
        ]),
      ],
    });
    const [strips, zenith, nadir] = await Promise.all(['strips', 'zenith', 'nadir'].map((name) => readFile(out(name))));
    const stripFrames = splitFrames(strips!, 2 * k, stripH);
    return {
      strips: stripFrames.map((frame, j) => ({ ...frame, time: times[Math.floor(j / eyes)] ?? 0, eye: (j % eyes) as 0 | 1 })),
      zenith: splitFrames(zenith!, view, view),
      nadir: splitFrames(nadir!, view, view),
      edgeColumns: k,
    };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
