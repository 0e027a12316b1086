import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Projection } from '../projection.ts';
import { MediaError } from './errors.ts';
import { runFfmpeg } from './ffmpeg-process.ts';
import { injectSphericalMetadata } from './mp4-boxes.ts';

/**
 * Stitching faults a fixture can reproduce. The picture is built as if two lenses each covered one
 * half of the longitudes, so the second lens's half meets the first at the 0/360° wrap (and at 180°).
 */
export const FIXTURE_FAULTS = ['seam-exposure', 'seam-colour', 'seam-parallax', 'nadir-hole', 'zenith-smear'] as const;
export type FixtureFault = (typeof FIXTURE_FAULTS)[number];

export const FIXTURE_CONTENTS = ['textured', 'smooth', 'noisy'] as const;
export type FixtureContent = (typeof FIXTURE_CONTENTS)[number];

export interface EquirectFixtureOptions {
  /** Output file (`.mp4`, `.mov`, `.mkv`; for a still use generateEquirectPhoto). */
  out: string;
  /** Default 2. */
  seconds?: number;
  /** Whole frame width. Default 1024. */
  width?: number;
  /** Whole frame height. Default width/2 (mono), width (top-bottom), width/4 (left-right). */
  height?: number;
  /** Default 30. */
  fps?: number;
  fault?: FixtureFault;
  /** Stereo layout; default mono. */
  stereo?: 'top-bottom' | 'left-right';
  /** Write spatial-media V2 boxes (sv3d/st3d) into the file. Default true. */
  spherical?: boolean;
  /** Add a sine tone (AAC). Default true. */
  audio?: boolean;
  /** Rows the second lens is shifted by for `seam-parallax`. Default height/128 (4 at 512 rows), at least 3. */
  parallaxRows?: number;
  /** Gain applied to the second lens for `seam-exposure`. Default 1.3 (on gamma-encoded values: ≈ +0.8 EV). */
  exposureGain?: number;
  /**
   * What the lenses see. `textured` (default): the test pattern with a cellular texture. `smooth`: a
   * slowly turning sky-like gradient, where neighbouring columns barely differ (skies, walls, water).
   * `noisy`: the textured picture with strong per-pixel sensor noise, different in every frame.
   */
  content?: FixtureContent;
  /** Video encoder, default libx264 (`-preset veryfast`). */
  videoCodec?: 'libx264' | 'libx265';
  /** Encoder preset. Default `veryfast` (libx264) or `ultrafast` (libx265). */
  videoPreset?: string;
  /** Constant rate factor. Default 20. */
  crf?: number;
  /** v360 interpolation from the cubemap. Default `cubic`; `linear` is about 3× cheaper. */
  interp?: 'cubic' | 'linear';
  signal?: AbortSignal;
}

export interface EquirectFixture {
  file: string;
  width: number;
  height: number;
  fps: number;
  seconds: number;
  projection: Projection;
  fault: FixtureFault | null;
}

function even(n: number): number {
  return Math.max(2, Math.round(n / 2) * 2);
}

/** Filter graph for one eye: a textured cubemap turned equirectangular, then the fault applied. */
function eyeGraph(input: string, output: string, eyeW: number, eyeH: number, yaw: number, options: EquirectFixtureOptions, tag: string): string {
  const base = `[${input}]v360=input=c3x2:output=e:w=${eyeW}:h=${eyeH}:yaw=${yaw}:interp=${options.interp ?? 'cubic'}`;
  const half = even(eyeW / 2);
  switch (options.fault) {
    case 'seam-exposure': {
      const g = options.exposureGain ?? 1.3;
      return `${base},split[${tag}a][${tag}b];[${tag}b]crop=${eyeW - half}:${eyeH}:${half}:0,colorchannelmixer=rr=${g}:gg=${g}:bb=${g}[${tag}h];[${tag}a][${tag}h]overlay=x=${half}:y=0[${output}]`;
    }
    case 'seam-colour':
      return `${base},split[${tag}a][${tag}b];[${tag}b]crop=${eyeW - half}:${eyeH}:${half}:0,colorchannelmixer=rr=1.18:bb=0.82[${tag}h];[${tag}a][${tag}h]overlay=x=${half}:y=0[${output}]`;
    case 'seam-parallax': {
      const rows = options.parallaxRows ?? Math.max(3, Math.round(eyeH / 128));
      return `${base},split[${tag}a][${tag}b];[${tag}b]crop=${eyeW - half}:${eyeH}:${half}:0[${tag}h];[${tag}a][${tag}h]overlay=x=${half}:y=${rows}[${output}]`;
    }
    case 'nadir-hole': {
      // A black disc of 18° radius around the nadir, like a tripod patch gone wrong.
      const rows = even(eyeH / 10);
      return `${base},drawbox=x=0:y=${eyeH - rows}:w=${eyeW}:h=${rows}:color=black:t=fill[${output}]`;
    }
    case 'zenith-smear': {
      // The top 18° stretched from one row, as a stitcher does when it has no picture of the zenith.
      const rows = even(eyeH / 10);
      return `${base},split[${tag}a][${tag}b];[${tag}b]crop=${eyeW}:2:0:${rows},scale=${eyeW}:${rows}:flags=neighbor[${tag}h];[${tag}a][${tag}h]overlay=0:0[${output}]`;
    }
    default:
      return `${base}[${output}]`;
  }
}

/**
 * Generates a small equirectangular test clip with ffmpeg's lavfi sources: `testsrc2` textured with
 * a `cellauto` pattern is laid out as a cubemap and turned equirectangular with `v360`, so the
 * picture is continuous across the 0/360° wrap unless a `fault` breaks it on purpose.
 */
export async function generateEquirectFixture(options: EquirectFixtureOptions): Promise<EquirectFixture> {
  const seconds = options.seconds ?? 2;
  const fps = options.fps ?? 30;
  const width = even(options.width ?? 1024);
  const projection: Projection =
    options.stereo === 'top-bottom' ? 'stereo-top-bottom' : options.stereo === 'left-right' ? 'stereo-left-right' : 'equirectangular-mono';
  const height = even(options.height ?? (projection === 'stereo-top-bottom' ? width : projection === 'stereo-left-right' ? width / 4 : width / 2));
  const eyeW = projection === 'stereo-left-right' ? width / 2 : width;
  const eyeH = projection === 'stereo-top-bottom' ? height / 2 : height;
  if (!Number.isInteger(eyeW) || !Number.isInteger(eyeH) || eyeW < 64 || eyeH < 32) {
    throw new MediaError('INVALID_OPTIONS', `A ${width}x${height} ${projection} fixture is too small or odd-sized; use at least 64x32 per eye.`);
  }
  const face = even(eyeW / 4);
  const seed = 7;
  const content = options.content ?? 'textured';
  const inputs = [
    '-f',
    'lavfi',
    '-i',
    `testsrc2=s=${face * 3}x${face * 2}:r=${fps}:d=${seconds}`,
    '-f',
    'lavfi',
    '-i',
    `cellauto=s=${even((face * 3) / 2)}x${face}:rule=30:rate=${fps}:random_fill_ratio=0.5:random_seed=${seed}`,
  ];
  if (content === 'smooth') {
    // Sky blues to a pale horizon, turning slowly: a gradient spread over the whole cubemap.
    inputs.splice(
      0,
      4,
      '-f',
      'lavfi',
      '-i',
      `gradients=s=${face * 3}x${face * 2}:r=${fps}:d=${seconds}:n=3:c0=0x3b6fb0:c1=0x9cc3e6:c2=0xd8e4ea:speed=0.002:seed=${seed}`,
    );
  }
  if (options.audio ?? true) inputs.push('-f', 'lavfi', '-i', `sine=frequency=440:sample_rate=48000:duration=${seconds}`);
  const audioInput = content === 'smooth' ? 1 : 2;
  const cube =
    content === 'smooth'
      ? '[0:v]format=yuv420p'
      : `[0:v]format=yuv420p[t];[1:v]scale=${face * 3}:${face * 2}:flags=bilinear,format=yuv420p[c];[t][c]blend=all_mode=overlay:all_opacity=0.5,eq=contrast=0.8:saturation=0.75`;
  // Sensor noise is added to the equirectangular picture (after any fault), independently per pixel.
  const noise = content === 'noisy' ? ',noise=alls=24:allf=t' : '';
  let graph: string;
  if (projection === 'equirectangular-mono') {
    graph = `${cube}[cube];${eyeGraph('cube', 'v', eyeW, eyeH, 23, options, 'l')}`;
  } else {
    // The right eye looks from slightly further right: a small horizontal disparity.
    const stack = projection === 'stereo-top-bottom' ? 'vstack' : 'hstack';
    graph =
      `${cube},split[cl][cr];${eyeGraph('cl', 'el', eyeW, eyeH, 23, options, 'l')};` +
      `${eyeGraph('cr', 'er', eyeW, eyeH, 23.5, options, 'r')};[el][er]${stack}[v]`;
  }
  const dir = path.dirname(path.resolve(options.out));
  await mkdir(dir, { recursive: true });
  const ext = path.extname(options.out) || '.mp4';
  const tmp = path.join(dir, `.${path.basename(options.out, ext)}.${process.pid}.${Date.now()}.tmp${ext}`);
  const encoder = options.videoCodec ?? 'libx264';
  try {
    await runFfmpeg({
      signal: options.signal,
      args: [
        '-y',
        ...inputs,
        '-filter_complex',
        `${graph};[v]format=yuv420p${noise}[vout]`,
        '-map',
        '[vout]',
        ...((options.audio ?? true) ? ['-map', `${audioInput}:a`, '-c:a', 'aac', '-b:a', '96k'] : []),
        '-t',
        String(seconds),
        '-c:v',
        encoder,
        '-preset',
        options.videoPreset ?? (encoder === 'libx264' ? 'veryfast' : 'ultrafast'),
        '-crf',
        String(options.crf ?? 20),
        '-g',
        String(fps),
        ...(encoder === 'libx265' ? ['-tag:v', 'hvc1', '-x265-params', 'log-level=error'] : []),
        '-r',
        String(fps),
        tmp,
      ],
    });
    if (options.spherical ?? true) {
      if (!/\.(mp4|mov|m4v)$/i.test(ext)) {
        throw new MediaError('INVALID_OPTIONS', 'Spherical metadata can only be written into MP4/MOV fixtures; pass spherical: false for other containers.');
      }
      await writeFile(tmp, injectSphericalMetadata(await readFile(tmp), projection));
    }
    await rename(tmp, options.out);
  } catch (error) {
    await rm(tmp, { force: true });
    throw error;
  }
  return { file: options.out, width, height, fps, seconds, projection, fault: options.fault ?? null };
}

export interface EquirectPhotoOptions {
  /** `.jpg` or `.png`. */
  out: string;
  /** Default 2048. */
  width?: number;
  /** Default width/2. */
  height?: number;
  signal?: AbortSignal;
}

/** Generates an equirectangular still (JPEG or PNG) from the same source as the video fixtures. */
export async function generateEquirectPhoto(options: EquirectPhotoOptions): Promise<{ file: string; width: number; height: number }> {
  const width = even(options.width ?? 2048);
  const height = even(options.height ?? width / 2);
  const face = even(width / 4);
  await mkdir(path.dirname(path.resolve(options.out)), { recursive: true });
  await runFfmpeg({
    signal: options.signal,
    args: [
      '-y',
      '-f',
      'lavfi',
      '-i',
      `testsrc2=s=${face * 3}x${face * 2}:r=1:d=1`,
      '-f',
      'lavfi',
      '-i',
      `cellauto=s=${even((face * 3) / 2)}x${face}:rule=30:rate=1:random_fill_ratio=0.5:random_seed=7`,
      '-filter_complex',
      `[0:v]format=yuv420p[t];[1:v]scale=${face * 3}:${face * 2},format=yuv420p[c];[t][c]blend=all_mode=overlay:all_opacity=0.5,v360=input=c3x2:output=e:w=${width}:h=${height}:yaw=23[v]`,
      '-map',
      '[v]',
      '-frames:v',
      '1',
      '-q:v',
      '3',
      '-update',
      '1',
      options.out,
    ],
  });
  return { file: options.out, width, height };
}
