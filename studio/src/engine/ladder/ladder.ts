import { z } from 'zod';
import type { Projection } from '@spherecast/shared';
import { isMediaError, ladderRungSchema, planLadder } from '@spherecast/shared/media';
import type { LadderPlan, LadderRungInput, PlannedRung, ProbeResult } from '@spherecast/shared/media';
import { StudioError } from '../errors.ts';

/** An edited ladder as the renderer sends it: the media engine's rung shape, 1–12 rungs. */
export const ladderInputSchema = z.array(ladderRungSchema).min(1, 'Keep at least one rung.').max(12, 'At most 12 rungs.');
export type LadderRung = LadderRungInput;

/** What the ladder editor shows: the rungs in force, the planned ones, and the plan's facts. */
export interface LadderView {
  rungs: PlannedRung[];
  planned: PlannedRung[];
  edited: boolean;
  segmentSeconds: number;
  frameRate: number;
  audio: LadderPlan['audio'];
}

/**
 * Plans the ladder of a video with the media engine; with `rungs` it validates those instead (even sizes,
 * unique names, headset decode limits). Media-engine refusals become LADDER_INVALID with its sentence.
 */
export function planRungs(probe: ProbeResult, projection: Projection, rungs?: readonly LadderRungInput[]): LadderPlan {
  try {
    return planLadder(probe, { projection, ...(rungs ? { rungs } : {}) });
  } catch (error) {
    if (isMediaError(error)) throw new StudioError('LADDER_INVALID', error.message, { cause: error });
    throw error;
  }
}

/** Rungs larger than the source add no detail: refuse them with what to do. */
export function checkAgainstSource(probe: ProbeResult, rungs: readonly LadderRungInput[]): void {
  for (const rung of rungs) {
    if (rung.width > probe.video.width || rung.height > probe.video.height) {
      throw new StudioError(
        'LADDER_INVALID',
        `Rung ${rung.name} (${rung.width}×${rung.height}) is larger than the source (${probe.video.width}×${probe.video.height}). Upscaling adds no detail; lower it.`,
      );
    }
  }
}
