import { z } from 'zod';
import { stitchReportSchema } from '@spherecast/shared/media';
import type { StitchCheck } from '@spherecast/shared/media';

/** A stitch-check report as the library keeps it: the media engine's report and when it was made. */
export const savedCheckReportSchema = stitchReportSchema.extend({ checkedAt: z.string() });
export type SavedCheckReport = z.infer<typeof savedCheckReportSchema>;

/** Where in the sphere the preview should look to see what a check measured. */
export interface CheckTarget {
  yaw: number;
  pitch: number;
  timeSeconds: number | null;
}

/**
 * The direction of a check: seam checks look at the 0/360° wrap (yaw 180, behind the viewer), pole checks
 * straight up or down; format checks (size, metadata) have no place in the picture. Video jumps to the
 * middle sampled frame, where the check's pictures come from.
 */
export function checkTarget(check: Pick<StitchCheck, 'id'>, sampleTimes: readonly number[]): CheckTarget | null {
  const timeSeconds = sampleTimes.length > 1 ? (sampleTimes[Math.floor(sampleTimes.length / 2)] ?? null) : null;
  if (check.id.includes('seam')) return { yaw: 180, pitch: 0, timeSeconds };
  if (check.id.includes('zenith')) return { yaw: 0, pitch: 90, timeSeconds };
  if (check.id.includes('nadir')) return { yaw: 0, pitch: -90, timeSeconds };
  return null;
}

/** The report as the renderer gets it: each check with its target, pictures left out (they are local paths). */
export function reportForRenderer(report: SavedCheckReport) {
  return {
    ...report,
    checks: report.checks.map(({ picture: _picture, ...check }) => ({ ...check, target: checkTarget(check, report.sampleTimes) })),
  };
}
