import { z } from 'zod';

/** How a 360° picture is laid out in the frame. */
export const PROJECTIONS = ['equirectangular-mono', 'stereo-top-bottom', 'stereo-left-right'] as const;
export const projectionSchema = z.enum(PROJECTIONS);
export type Projection = z.infer<typeof projectionSchema>;

/** The frame aspect (width / height) each projection implies for a full 360x180 picture. */
export const PROJECTION_ASPECT = {
  'equirectangular-mono': 2,
  'stereo-top-bottom': 1,
  'stereo-left-right': 4,
} as const satisfies Record<Projection, number>;
