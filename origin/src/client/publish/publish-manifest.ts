import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import { projectionSchema } from '@spherecast/shared';
import { LADDER_FILES, MediaError, parseMasterPlaylist, PROJECTION_SESSION_DATA_ID } from '@spherecast/shared/media';

const publishManifestSchema = z.looseObject({
  kind: z.enum(['video', 'photo']),
  projection: projectionSchema,
  master: z.string(),
  durationSeconds: z.number().optional(),
  poster: z.string().optional(),
  preview: z.string().optional(),
});
export type PublishManifest = z.infer<typeof publishManifestSchema>;

/** What a folder to publish says about itself: kind, projection, master, poster, duration. */
export async function readPublishManifest(dir: string): Promise<PublishManifest> {
  for (const name of [LADDER_FILES.manifest, 'photo.json']) {
    try {
      const parsed = publishManifestSchema.safeParse(JSON.parse(await readFile(path.join(dir, name), 'utf8')));
      if (parsed.success) return { ...parsed.data, poster: parsed.data.poster ?? parsed.data.preview };
    } catch {
      // not this one
    }
  }
  try {
    const master = parseMasterPlaylist(await readFile(path.join(dir, LADDER_FILES.master), 'utf8'));
    const value = master.sessionData.find((d) => d['DATA-ID'] === PROJECTION_SESSION_DATA_ID)?.VALUE;
    return { kind: 'video', projection: projectionSchema.parse(value ?? 'equirectangular-mono'), master: LADDER_FILES.master };
  } catch {
    throw new MediaError('INPUT_NOT_FOUND', `${dir} is not a Spherecast output folder (no ladder.json, photo.json or master.m3u8). Run transcode first.`);
  }
}

export async function sha256File(file: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}
