import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import { projectionSchema, type Projection } from '../projection.ts';
import { MediaError } from './errors.ts';
import { runFfmpeg } from './ffmpeg-process.ts';
import { listFiles, StagedOutput } from './output-dir.ts';
import { probeMedia, type ProbeResult } from './probe.ts';

/** Widths of the photo rungs, highest first; 8192 is the largest texture most headsets take. */
export const PHOTO_WIDTHS = [8192, 6144, 4096, 2048] as const;
/** Width of the preview image. */
export const PHOTO_PREVIEW_WIDTH = 1024;

export const photoResultSchema = z.object({
  outDir: z.string(),
  kind: z.literal('photo'),
  projection: projectionSchema,
  /** The largest rung: what finalize takes as `master` for a photo. */
  master: z.string(),
  preview: z.string(),
  rungs: z.array(z.object({ path: z.string(), width: z.number().int(), height: z.number().int() })),
  files: z.array(z.string()),
});
export type PhotoResult = z.infer<typeof photoResultSchema>;

export interface PhotoOptions {
  input: string;
  out: string;
  probe?: ProbeResult;
  projection?: Projection;
  /** Default PHOTO_WIDTHS (never above the source). */
  widths?: readonly number[];
  overwrite?: boolean;
  signal?: AbortSignal;
}

function even(n: number): number {
  return Math.max(2, Math.round(n / 2) * 2);
}

/**
 * Turns an equirectangular still into JPEG rungs (`photo-4096x2048.jpg`, …), a `preview.jpg` and a
 * `photo.json` index, in one ffmpeg process. Output appears in OUT only on success.
 */
export async function transcodePhoto(options: PhotoOptions): Promise<PhotoResult> {
  const probe = options.probe ?? (await probeMedia(options.input, options.signal ? { signal: options.signal } : {}));
  const projection = options.projection ?? probe.projection.projection;
  if (!projection) {
    throw new MediaError(
      'NOT_SPHERICAL',
      `${options.input} (${probe.video.width}x${probe.video.height}) is not a 360° photo: export it as a 2:1 equirectangular image.`,
    );
  }
  const { width, height } = probe.video;
  const aspect = height / width;
  const widths = [...(options.widths ?? PHOTO_WIDTHS)].sort((a, b) => b - a).filter((w) => w <= width);
  const sizes = (widths.length > 0 ? widths : [width]).map((w) => ({ width: even(w), height: even(w * aspect) }));
  const previewWidth = Math.min(PHOTO_PREVIEW_WIDTH, even(width));
  const eye = projection === 'stereo-top-bottom' ? 'crop=iw:ih/2:0:0,' : projection === 'stereo-left-right' ? 'crop=iw/2:ih:0:0,' : '';
  const eyeAspect = projection === 'stereo-top-bottom' ? aspect / 2 : projection === 'stereo-left-right' ? aspect * 2 : aspect;
  const preview = { width: previewWidth, height: even(previewWidth * eyeAspect) };

  const staged = await StagedOutput.create(options.out, options.overwrite ?? false);
  try {
    const graph = [
      `[0:v:0]split=${sizes.length + 1}${sizes.map((_, i) => `[s${i}]`).join('')}[sp]`,
      ...sizes.map((s, i) => `[s${i}]scale=${s.width}:${s.height}:flags=lanczos[r${i}]`),
      `[sp]${eye}scale=${preview.width}:${preview.height}:flags=lanczos[preview]`,
    ];
    const rungs = sizes.map((s) => ({ path: `photo-${s.width}x${s.height}.jpg`, width: s.width, height: s.height }));
    await runFfmpeg({
      ...(options.signal ? { signal: options.signal } : {}),
      args: [
        '-y',
        '-i',
        options.input,
        '-filter_complex',
        graph.join(';'),
        ...rungs.flatMap((r, i) => ['-map', `[r${i}]`, '-frames:v', '1', '-update', '1', '-q:v', '2', path.join(staged.tmp, r.path)]),
        '-map',
        '[preview]',
        '-frames:v',
        '1',
        '-update',
        '1',
        '-q:v',
        '4',
        path.join(staged.tmp, 'preview.jpg'),
      ],
    });
    const result = { kind: 'photo' as const, projection, master: rungs[0]!.path, preview: 'preview.jpg', rungs };
    await writeFile(path.join(staged.tmp, 'photo.json'), `${JSON.stringify(result, null, 2)}\n`);
    await staged.commit();
    return photoResultSchema.parse({ ...result, outDir: staged.out, files: await listFiles(staged.out) });
  } catch (error) {
    await staged.discard();
    throw error;
  }
}
