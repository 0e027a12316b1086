import { z } from 'zod';
import { CAPTION_LIMITS, captionUploadSchema, contentCreateInput } from '@spherecast/shared';

/** What the publish form sends: the origin's own content fields, less what the project decides (kind, projection). */
export const publishMetadataSchema = contentCreateInput
  .pick({
    title: true,
    description: true,
    tags: true,
    genre: true,
    visibility: true,
    location: true,
  })
  .extend({
    /** WebVTT captions, one per language, added to the video once it is published (the origin's `PUT /content/{id}/captions/{lang}`). */
    captions: z
      .array(captionUploadSchema)
      .max(CAPTION_LIMITS.tracks)
      .default([])
      .superRefine((captions, ctx) => {
        const seen = new Set<string>();
        for (const [index, caption] of captions.entries()) {
          if (seen.has(caption.lang))
            ctx.addIssue({ code: 'custom', path: [index, 'lang'], message: `${caption.lang} is listed twice; keep one file per language.` });
          seen.add(caption.lang);
        }
      }),
  });
export type PublishMetadata = z.output<typeof publishMetadataSchema>;
