// TEMPORARY until the media engine exports its ladder planner and rung schema: replaced by those.
import { z } from 'zod';
import type { ProbeResult } from '@spherecast/shared/media';
import { StudioError } from '../errors.ts';

export const ladderRungSchema = z.object({
  name: z.string(),
  width: z.number().int(),
  height: z.number().int(),
  videoBitrateKbps: z.number().int(),
});
export type LadderRung = z.infer<typeof ladderRungSchema>;
export const ladderInputSchema = z.array(ladderRungSchema).min(1, 'Keep at least one rung.').max(12, 'At most 12 rungs.');

export function planRungs(_probe: ProbeResult): LadderRung[] {
  throw new StudioError('MEDIA_ENGINE_FAILED', 'The ladder planner is not available in this build yet.');
}
