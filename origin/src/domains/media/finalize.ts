import { randomUUID } from 'node:crypto';
import { TRPCError } from '@trpc/server';
import { badRequest } from '../../core/errors.ts';
import { faultPoint } from '../../core/fault-injection.ts';
import { UploadTooLargeError } from '../../core/media-store.ts';
import type { OriginServices } from '../../core/services.ts';
import { hashesFileFor, masterFolder } from '../../core/content-view.ts';
import { POSTER_FORMATS, POSTER_WIDTHS, posterRungFile } from '@spherecast/shared';
import { Prisma } from '../../db/database.ts';
import { PUBLISH_LIMITS, THUMBNAIL_FILES } from './limits.ts';
import { PlaylistError, readMasterPlaylist, readMediaPlaylist, type VariantStream } from './playlist.ts';

const IMAGE_FILE = /\.(jpe?g|png|webp)$/i;
/** A publish attempt not touched for this long belongs to a process that died: it is settled and replaced. */
const STALE_ATTEMPT_MS = 10 * 60_000;
const PAGE = 5000;

export interface FinalizeRequest {
  contentId: string;
  kind: 'video' | 'photo';
  master: string;
  poster?: string | undefined;
  durationSeconds?: number | undefined;
}

interface PublishAttemptRow {
  contentId: string;
  publishId: string;
  previousPublishedPath: string | null;
}

interface PublishPlan {
  variants: VariantStream[];
  /** sha256 of every published file below the master's folder, keyed relative to it. */
  hashes: Record<string, string>;
  /** Staged files no playlist names: removed, never published. */
  unreferenced: string[];
  /** Widths of the poster rungs published beside the poster. */
  posterWidths: number[];
}

/**
 * Publishes a staged ladder as a recoverable state machine:
 *
 * 1. intent: a PublishAttempt row (one per content: a second finalize meanwhile gets 409);
 * 2. validate: the playlists, within PUBLISH_LIMITS, and that every file they name is staged;
 * 3. prepare: remove staged files nothing names, write hashes.json;
 * 4. move: rename staging/<id>/ to published/<id>/<publishId>/;
 * 5. commit: one transaction points the content at the new folder and deletes the attempt;
 * 6. prune older versions (all but the new one and the one it replaces).
 *
 * A failure before 5 moves the folder back to staging; a crash before 5 leaves the attempt row, and
 * the start-up repair (repairPublishing) does the same. Either way the previous version keeps serving
 * and a retry publishes the same uploads.
 */
export async function finalizeUpload(services: OriginServices, request: FinalizeRequest): Promise<{ publishedPath: string }> {
  const { prisma, media } = services;
  const attempt = await beginPublish(services, request.contentId);
  const target = `${request.contentId}/${attempt.publishId}`;
  let committed = false;
  try {
    faultPoint('publish-after-intent');
    const plan = await planPublish(services, request);

    await media.removeStaged(request.contentId, plan.unreferenced);
    for (let i = 0; i < plan.unreferenced.length; i += 1000) {
      await prisma.upload.deleteMany({ where: { contentId: request.contentId, status: 'staged', path: { in: plan.unreferenced.slice(i, i + 1000) } } });
    }
    await media.writeStagedFiles(request.contentId, { [hashesFileFor(request.master)!]: JSON.stringify(plan.hashes) });
    faultPoint('publish-after-prune');

    await prisma.publishAttempt.update({ where: { contentId: request.contentId }, data: { state: 'moving' } });
    await media.publish(request.contentId, attempt.publishId);
    faultPoint('publish-after-rename');

    await prisma.$transaction([
      prisma.rendition.deleteMany({ where: { contentId: request.contentId } }),
      prisma.rendition.createMany({
        data: plan.variants.map((variant) => ({
          contentId: request.contentId,
          width: variant.width ?? 0,
          height: variant.height ?? 0,
          bandwidth: variant.bandwidth,
          averageBandwidth: variant.averageBandwidth,
          codecs: variant.codecs ?? '',
          frameRate: variant.frameRate,
          playlistPath: variant.playlistPath,
        })),
      }),
      prisma.upload.deleteMany({ where: { contentId: request.contentId, status: 'published' } }),
      prisma.upload.updateMany({ where: { contentId: request.contentId, status: 'staged' }, data: { status: 'published' } }),
      prisma.content.update({
        where: { id: request.contentId },
        data: {
          status: 'ready',
          publishedPath: target,
          previousPublishedPath: attempt.previousPublishedPath,
          masterFile: request.master,
          posterFile: request.poster ?? (request.kind === 'photo' ? request.master : null),
          posterWidths: plan.posterWidths,
          ...(request.durationSeconds !== undefined ? { durationSeconds: request.durationSeconds } : {}),
          publishedAt: services.now(),
        },
      }),
      prisma.publishAttempt.delete({ where: { contentId: request.contentId } }),
    ]);
    committed = true;
  } finally {
    if (!committed) await settlePublishAttempt(services, attempt).catch(() => undefined);
  }
  faultPoint('publish-after-commit');
  // Keep the version players may still be streaming; older ones go.
  await media.prunePublished(request.contentId, [target, ...(attempt.previousPublishedPath ? [attempt.previousPublishedPath] : [])]);
  return { publishedPath: target };
}

/** Records the intent to publish; the primary key on contentId makes it the lock. */
async function beginPublish(services: OriginServices, contentId: string): Promise<PublishAttemptRow> {
  const { prisma } = services;
  const create = async () => {
    const content = await prisma.content.findUniqueOrThrow({ where: { id: contentId }, select: { publishedPath: true } });
    return prisma.publishAttempt.create({
      data: { contentId, publishId: randomUUID(), previousPublishedPath: content.publishedPath },
      select: { contentId: true, publishId: true, previousPublishedPath: true },
    });
  };
  try {
    return await create();
  } catch (error) {
    if (!isUniqueViolation(error)) throw error;
  }
  const existing = await prisma.publishAttempt.findUnique({
    where: { contentId },
    select: { contentId: true, publishId: true, previousPublishedPath: true, updatedAt: true },
  });
  if (existing && services.now().getTime() - existing.updatedAt.getTime() > STALE_ATTEMPT_MS) {
    await settlePublishAttempt(services, existing);
    try {
      return await create();
    } catch (error) {
      if (!isUniqueViolation(error)) throw error;
    }
  }
  throw new TRPCError({
    code: 'CONFLICT',
    message: 'A publish of this content is already in progress. Wait for it to finish (a few seconds), then reload the content before finalizing again.',
  });
}

function isUniqueViolation(error: unknown): boolean {
  return error instanceof Prisma.PrismaClientKnownRequestError && error.code === 'P2002';
}

/**
 * Ends a publish attempt that did not commit: moves its folder (if it was moved) back to staging,
 * so the uploads stay and a retry can publish them, and deletes the attempt. An attempt whose folder
 * the content already points at did commit; then only the row goes.
 */
export async function settlePublishAttempt(services: OriginServices, attempt: PublishAttemptRow): Promise<'committed' | 'rolled-back'> {
  const { prisma, media } = services;
  const target = `${attempt.contentId}/${attempt.publishId}`;
  const content = await prisma.content.findUnique({ where: { id: attempt.contentId }, select: { publishedPath: true } });
  const committed = content?.publishedPath === target;
  if (!committed) await media.restoreToStaging(attempt.contentId, target);
  await prisma.publishAttempt.deleteMany({ where: { contentId: attempt.contentId, publishId: attempt.publishId } });
  return committed ? 'committed' : 'rolled-back';
}

/** Staged uploads of a content (path → sha256), read in pages. */
async function stagedUploads(services: OriginServices, contentId: string): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  let cursor: string | undefined;
  for (;;) {
    const page = await services.prisma.upload.findMany({
      where: { contentId, status: 'staged' },
      select: { id: true, path: true, sha256: true },
      orderBy: { id: 'asc' },
      take: PAGE,
      ...(cursor ? { cursor: { id: cursor }, skip: 1 } : {}),
    });
    for (const row of page) out.set(row.path, row.sha256);
    if (page.length < PAGE) return out;
    cursor = page.at(-1)!.id;
  }
}

class MissingFiles {
  count = 0;
  readonly examples: string[] = [];
  add(file: string) {
    this.count += 1;
    if (this.examples.length < PUBLISH_LIMITS.missingExamples) this.examples.push(file);
  }
}

/** Validates the staged ladder and decides what is published. Reads; changes nothing. */
async function planPublish(services: OriginServices, request: FinalizeRequest): Promise<PublishPlan> {
  const { media } = services;
  const staged = await stagedUploads(services, request.contentId);
  if (!staged.has(request.master)) {
    throw badRequest(`${request.master} has not been uploaded. Upload the master file, then finalize again.`);
  }
  if (request.poster && !staged.has(request.poster)) {
    throw badRequest(`The poster ${request.poster} has not been uploaded.`);
  }
  const referenced = new Set<string>([request.master]);
  let variants: VariantStream[] = [];
  if (request.kind === 'photo') {
    if (!IMAGE_FILE.test(request.master)) throw badRequest('A photo is finalized with its full-size image (JPEG, PNG or WebP) as master.');
  } else {
    const missing = new MissingFiles();
    const reference = (file: string) => {
      if (referenced.has(file)) return;
      referenced.add(file);
      if (referenced.size > PUBLISH_LIMITS.filesPerContent) {
        throw badRequest(
          `The playlists name more than ${PUBLISH_LIMITS.filesPerContent.toLocaleString('en')} files, the most one content may have. Use longer segments or fewer renditions.`,
        );
      }
      if (!staged.has(file)) missing.add(file);
    };
    const read = async (file: string, maxBytes: number) => {
      try {
        return await media.readStagedText(request.contentId, file, maxBytes);
      } catch (error) {
        if (error instanceof UploadTooLargeError) throw badRequest(`${error.message} Split it or use longer segments.`);
        throw error;
      }
    };
    const masterText = await read(request.master, PUBLISH_LIMITS.masterPlaylistBytes);
    if (masterText === null) throw badRequest(`${request.master} has not been uploaded. Upload the master file, then finalize again.`);
    let ladder;
    try {
      ladder = readMasterPlaylist(masterText, request.master);
    } catch (error) {
      if (error instanceof PlaylistError) throw badRequest(`${request.master}: ${error.message}`);
      throw error;
    }
    variants = ladder.variants;
    for (const file of ladder.files) reference(file);
    let playlistBytes = Buffer.byteLength(masterText);
    // Each playlist is read once, however many variants name it.
    for (const playlistPath of ladder.playlists) {
      const known = referenced.has(playlistPath);
      reference(playlistPath);
      if (known || !staged.has(playlistPath)) continue;
      const text = await read(playlistPath, PUBLISH_LIMITS.mediaPlaylistBytes);
      if (text === null) {
        missing.add(playlistPath);
        continue;
      }
      playlistBytes += Buffer.byteLength(text);
      if (playlistBytes > PUBLISH_LIMITS.totalPlaylistBytes) {
        throw badRequest(
          `The playlists of this ladder are larger than ${PUBLISH_LIMITS.totalPlaylistBytes / 1048576} MiB together, the most one content may have. Use longer segments or fewer renditions.`,
        );
      }
      let playlist;
      try {
        playlist = await readMediaPlaylist(text, playlistPath);
      } catch (error) {
        if (error instanceof PlaylistError) throw badRequest(`${playlistPath}: ${error.message}`);
        throw error;
      }
      for (const file of playlist.files) reference(file);
    }
    if (missing.count > 0) {
      const more = missing.count > missing.examples.length ? ', …' : '';
      throw badRequest(
        `${missing.count} file(s) the playlists name are not uploaded yet (${missing.examples.join(', ')}${more}). Upload them and finalize again.`,
      );
    }
  }
  if (request.poster) referenced.add(request.poster);
  const masterDir = masterFolder(request.master);
  for (const name of THUMBNAIL_FILES) {
    if (staged.has(`${masterDir}${name}`)) referenced.add(`${masterDir}${name}`);
  }
  // Poster rungs (poster-<width>.webp and .jpg beside the poster): a width counts when both formats are there.
  const posterWidths: number[] = [];
  if (request.poster) {
    const posterDir = masterFolder(request.poster);
    for (const width of POSTER_WIDTHS) {
      const files = Object.keys(POSTER_FORMATS).map((format) => `${posterDir}${posterRungFile(width, format as keyof typeof POSTER_FORMATS)}`);
      if (files.every((file) => staged.has(file))) {
        for (const file of files) referenced.add(file);
        posterWidths.push(width);
      }
    }
  }
  // Hashes are relative to the master's folder, as players resolve segment URLs against it.
  const hashes: Record<string, string> = {};
  for (const file of referenced) {
    const sha256 = staged.get(file);
    if (sha256 !== undefined && file.startsWith(masterDir)) hashes[file.slice(masterDir.length)] = sha256;
  }
  const hashesFile = hashesFileFor(request.master)!;
  const unreferenced = [...staged.keys()].filter((file) => !referenced.has(file) || file === hashesFile);
  return { variants, hashes, unreferenced, posterWidths };
}
