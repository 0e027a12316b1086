// Poster rungs: smaller copies of the ladder's poster for responsive images (`srcset`), in WebP
// (about a third smaller than JPEG at the same look) with a JPEG of each for browsers without WebP.
// A card 300 px wide on a phone then fetches a 640 px WebP of ~20 KB instead of the 1920 px JPEG.
import path from 'node:path';
import { z } from 'zod';
import { POSTER_WIDTHS, posterRungFile } from '../api/content.ts';
import { runFfmpeg } from './ffmpeg-process.ts';

export const posterRungOutputSchema = z.object({ width: z.number().int().positive(), height: z.number().int().positive(), webp: z.string(), jpeg: z.string() });
export type PosterRungOutput = z.infer<typeof posterRungOutputSchema>;

/**
 * Writes `poster-<width>.webp` and `poster-<width>.jpg` beside `poster` for each standard width
 * narrower than the poster itself (never upscaled). Returns the rungs written, narrowest first.
 */
export async function writePosterRungs(options: { poster: string; width: number; height: number; signal?: AbortSignal }): Promise<PosterRungOutput[]> {
  const widths = POSTER_WIDTHS.filter((w) => w < options.width);
  if (widths.length === 0) return [];
  const dir = path.dirname(options.poster);
  const rungs = widths.map((width) => {
    // Even heights with the poster's aspect ratio.
    const height = Math.max(2, Math.round((options.height * width) / options.width / 2) * 2);
    return { width, height, webp: posterRungFile(width, 'webp'), jpeg: posterRungFile(width, 'jpg') };
  });
  const labels = rungs.flatMap((_, i) => [`[w${i}]`, `[j${i}]`]);
  const graph = [
    `[0:v]split=${labels.length}${labels.join('')}`,
    ...rungs.flatMap((r, i) => [`[w${i}]scale=${r.width}:${r.height}:flags=lanczos[ow${i}]`, `[j${i}]scale=${r.width}:${r.height}:flags=lanczos[oj${i}]`]),
  ];
  const args = ['-y', '-i', options.poster, '-filter_complex', graph.join(';')];
  rungs.forEach((r, i) => {
    args.push('-map', `[ow${i}]`, '-frames:v', '1', '-c:v', 'libwebp', '-quality', '78', '-compression_level', '6', path.join(dir, r.webp));
    args.push('-map', `[oj${i}]`, '-frames:v', '1', '-update', '1', '-q:v', '4', path.join(dir, r.jpeg));
  });
  await runFfmpeg({ args, ...(options.signal ? { signal: options.signal } : {}) });
  return rungs;
}
