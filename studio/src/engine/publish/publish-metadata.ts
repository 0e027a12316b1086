import type { z } from 'zod';
import { contentCreateInput } from '@spherecast/shared';

/** What the publish form sends: the origin's own content fields, less what the project decides (kind, projection). */
export const publishMetadataSchema = contentCreateInput.pick({
  title: true,
  description: true,
  tags: true,
  genre: true,
  visibility: true,
  location: true,
});
export type PublishMetadata = z.output<typeof publishMetadataSchema>;
