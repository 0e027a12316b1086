import { createHash, randomUUID } from 'node:crypto';
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { idSchema, TOUR_MEDIA_LIMITS, type TourMediaUpload } from '@spherecast/shared';
import { runFfprobe } from '@spherecast/shared/media';
import { openLocalFile } from '../../core/media-store.ts';
import type { PublishedObject } from '../../core/media-store-s3.ts';
import type { OriginServices } from '../../core/services.ts';
import type { SessionUser } from '../../core/sessions.ts';
import { resolveInside } from '../../core/safe-path.ts';
import { canViewTour } from './tour-access.ts';

/**
 * Tour media (#15): narration audio a creator uploads for a tour, stored as
 * `tour-media/<tourId>/<sha256 prefix>.<ext>`: in the bucket with STORAGE=s3 (beside the published
 * versions, a folder the start-up sweep leaves alone: it is not a content id), otherwise on the
 * origin's disk under MEDIA_DIR (outside `published/`). Served at `/media/tours/<tourId>/<file>` to
 * whoever may see the tour. The name comes from the bytes, so a file never changes under its URL.
 */
export const TOUR_MEDIA_FOLDER = 'tour-media';

/** What ffprobe calls the containers we take, and the extension each is stored and served with. */
const AUDIO_FORMATS: readonly { format: string; ext: string; contentType: string }[] = [
  { format: 'mp3', ext: 'mp3', contentType: 'audio/mpeg' },
  { format: 'mov,mp4,m4a,3gp,3g2,mj2', ext: 'm4a', contentType: 'audio/mp4' },
  { format: 'ogg', ext: 'ogg', contentType: 'audio/ogg' },
  { format: 'wav', ext: 'wav', contentType: 'audio/wav' },
];

/** Served file names: what `storeTourAudio` writes. */
const STORED_NAME = /^[0-9a-f]{16}\.(mp3|m4a|ogg|wav)$/;

export type TourMediaResult = { ok: true; upload: TourMediaUpload } | { ok: false; status: number; message: string };

interface ProbedAudio {
  format: (typeof AUDIO_FORMATS)[number];
  durationSeconds: number | null;
}

/** Reads the container and streams of a file with ffprobe; null when it is not one of AUDIO_FORMATS with audio only. */
async function probeAudio(file: string): Promise<ProbedAudio | null> {
  let text: string;
  try {
    text = await runFfprobe(['-show_entries', 'format=format_name,duration:stream=codec_type:stream_disposition=attached_pic', '-of', 'json', file]);
  } catch {
    return null;
  }
  const parsed = JSON.parse(text) as {
    format?: { format_name?: string; duration?: string };
    streams?: { codec_type?: string; disposition?: { attached_pic?: number } }[];
  };
  const format = AUDIO_FORMATS.find((candidate) => candidate.format === parsed.format?.format_name);
  const streams = parsed.streams ?? [];
  const audio = streams.filter((stream) => stream.codec_type === 'audio').length;
  // Cover art in an mp3 or m4a is a picture stream: allowed; a moving picture is a video, not narration.
  const video = streams.filter((stream) => stream.codec_type === 'video' && stream.disposition?.attached_pic !== 1).length;
  if (!format || audio === 0 || video > 0) return null;
  const duration = Number(parsed.format?.duration);
  return { format, durationSeconds: Number.isFinite(duration) && duration > 0 ? duration : null };
}

function folderOf(services: Pick<OriginServices, 'media'>, tourId: string): string {
  return resolveInside(path.join(services.media.mediaDir, TOUR_MEDIA_FOLDER), tourId);
}

/** Where a tour's file is in the bucket (relative to its published prefix); ids and names are checked first. */
function bucketKey(tourId: string, name = ''): string {
  return `${TOUR_MEDIA_FOLDER}/${tourId}/${name}`;
}

/**
 * Checks who may add media to the tour (its owner or an admin), that the bytes are audio
 * (`AUDIO_FORMATS`, told by ffprobe from the bytes, never from a name or header), and stores them.
 */
export async function storeTourAudio(
  services: Pick<OriginServices, 'prisma' | 'media'>,
  user: SessionUser,
  tourId: string,
  body: Buffer,
): Promise<TourMediaResult> {
  if (!idSchema.safeParse(tourId).success) return { ok: false, status: 400, message: 'id: must be a tour id (a UUID).' };
  const tour = await services.prisma.tour.findUnique({ where: { id: tourId }, select: { id: true, ownerId: true, status: true, visibility: true } });
  if (!tour || !canViewTour(user, tour)) return { ok: false, status: 404, message: 'That tour was not found.' };
  if (tour.ownerId !== user.id && user.role !== 'admin')
    return { ok: false, status: 403, message: 'Only the creator of this tour (or an admin) can add media to it.' };
  if (body.length === 0) return { ok: false, status: 400, message: 'The body is empty: send the audio file as the request body.' };
  if (body.length > TOUR_MEDIA_LIMITS.audioMaxBytes)
    return { ok: false, status: 413, message: `The audio file is larger than ${TOUR_MEDIA_LIMITS.audioMaxBytes / 1048576} MiB; shorten or compress it.` };
  const folder = folderOf(services, tour.id);
  await mkdir(folder, { recursive: true });
  // No extension: ffprobe must tell the format from the bytes alone.
  const temporary = path.join(folder, `.upload-${randomUUID()}`);
  await writeFile(temporary, body, { flag: 'wx' });
  try {
    const probed = await probeAudio(temporary);
    if (!probed)
      return {
        ok: false,
        status: 415,
        message: 'That file is not audio we can play: send an MP3, M4A (AAC), Ogg or WAV file with an audio track and no video.',
      };
    const sha256 = createHash('sha256').update(body).digest('hex');
    const name = `${sha256.slice(0, 16)}.${probed.format.ext}`;
    // One PUT (the bucket) or one rename (the disk): the file appears whole under its name or not at all.
    if (services.media.remote) await services.media.remote.putFile(bucketKey(tour.id, name), temporary);
    else await rename(temporary, path.join(folder, name));
    return {
      ok: true,
      upload: {
        url: `/media/tours/${tour.id}/${name}`,
        contentType: probed.format.contentType,
        size: body.length,
        sha256,
        durationSeconds: probed.durationSeconds,
      },
    };
  } finally {
    await rm(temporary, { force: true });
  }
}

export type TourMediaFile = { ok: true; file: PublishedObject; contentType: string; public: boolean } | { ok: false; status: number; message: string };

/** A stored tour media file for `/media/tours/<tourId>/<name>`, if the caller may see the tour. */
export async function openTourMedia(
  services: Pick<OriginServices, 'prisma' | 'media'>,
  user: SessionUser | null,
  tourId: string,
  name: string,
): Promise<TourMediaFile> {
  const match = STORED_NAME.exec(name);
  if (!idSchema.safeParse(tourId).success || !match) return { ok: false, status: 404, message: 'No such media file.' };
  const tour = await services.prisma.tour.findUnique({ where: { id: tourId }, select: { id: true, ownerId: true, status: true, visibility: true } });
  if (!tour || !canViewTour(user, tour)) return { ok: false, status: 404, message: 'No such media file.' };
  const file = (await services.media.remote?.open(bucketKey(tour.id, name))) ?? (await openLocalFile(path.join(folderOf(services, tour.id), name)));
  if (!file) return { ok: false, status: 404, message: 'No such media file.' };
  const format = AUDIO_FORMATS.find((candidate) => candidate.ext === match[1]);
  return {
    ok: true,
    contentType: format?.contentType ?? 'application/octet-stream',
    public: tour.status === 'published' && tour.visibility === 'public',
    file,
  };
}

/** Removes a tour's media (when the tour is deleted), from the bucket and the disk. */
export async function removeTourMedia(services: Pick<OriginServices, 'media'>, tourId: string): Promise<void> {
  await services.media.remote?.removePrefix(bucketKey(tourId));
  await rm(folderOf(services, tourId), { recursive: true, force: true });
}
