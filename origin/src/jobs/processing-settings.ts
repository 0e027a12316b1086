import { z } from 'zod';
import type { PipelineDeps } from '../domains/processing/pipeline.ts';

const presetSchema = z.enum(['ultrafast', 'superfast', 'veryfast', 'faster', 'fast', 'medium', 'slow']);

/** Optional tuning of processing, read from the environment of origins and workers alike. */
const envSchema = z.object({
  /** x264/x265 preset of upload transcodes. Default: the studio's (veryfast). */
  TRANSCODE_PRESET: presetSchema.optional(),
  /** Per-eye widths of the ladder, comma-separated, e.g. 3840,1920,1280. Default: the studio's planned ladder. */
  TRANSCODE_EYE_WIDTHS: z
    .string()
    .regex(/^[0-9]{3,4}(,[0-9]{3,4}){0,7}$/, 'must be 1 to 8 widths separated by commas, e.g. 3840,1920,1280')
    .optional(),
  /** HLS segment length in seconds. Default: the studio's (4). */
  TRANSCODE_SEGMENT_SECONDS: z.coerce.number().min(1).max(10).optional(),
  /** Chunk length of chunked transcoding: a source longer than two chunks is cut into chunks any worker transcodes. 0 turns it off. Default 60. */
  CHUNK_SECONDS: z.coerce.number().min(0).max(3600).optional(),
  /** How often the queue looks for jobs whose worker died (JOB_TIMEOUT_SECONDS after they started). */
  JOB_MAINTENANCE_SECONDS: z.coerce.number().int().min(1).max(3600).optional(),
});

export interface ProcessingSettings {
  transcode?: NonNullable<PipelineDeps['transcode']>;
  maintenanceIntervalSeconds?: number;
  chunkSeconds?: number;
}

/** Reads TRANSCODE_* and JOB_MAINTENANCE_SECONDS; throws naming the bad variable. */
export function processingSettingsFromEnv(env: Record<string, string | undefined>): ProcessingSettings {
  const present = Object.fromEntries(Object.entries(env).filter(([key, value]) => key in envSchema.shape && value !== undefined && value !== ''));
  const parsed = envSchema.safeParse(present);
  if (!parsed.success) {
    throw new Error(`Invalid processing configuration: ${parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`).join('; ')}`);
  }
  const e = parsed.data;
  const transcode: NonNullable<PipelineDeps['transcode']> = {
    ...(e.TRANSCODE_PRESET ? { preset: e.TRANSCODE_PRESET } : {}),
    ...(e.TRANSCODE_EYE_WIDTHS ? { eyeWidths: e.TRANSCODE_EYE_WIDTHS.split(',').map(Number) } : {}),
    ...(e.TRANSCODE_SEGMENT_SECONDS ? { segmentSeconds: e.TRANSCODE_SEGMENT_SECONDS } : {}),
  };
  return {
    ...(Object.keys(transcode).length > 0 ? { transcode } : {}),
    ...(e.JOB_MAINTENANCE_SECONDS ? { maintenanceIntervalSeconds: e.JOB_MAINTENANCE_SECONDS } : {}),
    ...(e.CHUNK_SECONDS === undefined ? {} : { chunkSeconds: e.CHUNK_SECONDS }),
  };
}
