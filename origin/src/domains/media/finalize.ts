import { badRequest } from '../../core/errors.ts';
import type { OriginServices } from '../../core/services.ts';
import { mediaPlaylistFiles, PlaylistError, readMasterPlaylist, resolvePlaylistUri, type VariantStream } from './playlist.ts';
import { hashesFileFor, masterFolder } from '../../core/content-view.ts';

const IMAGE_FILE = /\.(jpe?g|png|webp)$/i;

interface FinalizeRequest {
  contentId: string;
  kind: 'video' | 'photo';
  master: string;
  poster?: string | undefined;
  durationSeconds?: number | undefined;
  previousPublishedPath: string | null;
}

/**
 * Checks that the staged files form a complete ladder (the master playlist, every variant playlist
 * and every file they name), then publishes it in one rename and records it in one transaction.
 * Anything missing is reported by name and nothing becomes visible.
 */
export async function finalizeUpload(services: OriginServices, request: FinalizeRequest) {
  const { prisma, media } = services;
  const staged = await prisma.upload.findMany({
    where: { contentId: request.contentId, status: 'staged' },
    select: { path: true, sha256: true },
  });
  const stagedPaths = new Set(staged.map((file) => file.path));
  if (!stagedPaths.has(request.master)) {
    throw badRequest(`${request.master} has not been uploaded. Upload the master file, then finalize again.`);
  }
  if (request.poster && !stagedPaths.has(request.poster)) {
    throw badRequest(`The poster ${request.poster} has not been uploaded.`);
  }

  let variants: VariantStream[] = [];
  if (request.kind === 'photo') {
    if (!IMAGE_FILE.test(request.master)) throw badRequest('A photo is finalized with its full-size image (JPEG, PNG or WebP) as master.');
  } else {
    try {
      const master = readMasterPlaylist(await media.readStagedText(request.contentId, request.master));
      variants = master.variants;
      const missing: string[] = [];
      for (const uri of [...variants.map((variant) => variant.uri), ...master.renditionPlaylists]) {
        const playlistPath = resolvePlaylistUri(request.master, uri);
        if (!stagedPaths.has(playlistPath)) {
          missing.push(playlistPath);
          continue;
        }
        const playlist = mediaPlaylistFiles(await media.readStagedText(request.contentId, playlistPath));
        if (!playlist.ended) throw badRequest(`${playlistPath} has no #EXT-X-ENDLIST: upload a finished (VOD) playlist.`);
        for (const uri of playlist.files) {
          const file = resolvePlaylistUri(playlistPath, uri);
          if (!stagedPaths.has(file)) missing.push(file);
        }
      }
      if (missing.length > 0) {
        const shown = missing.slice(0, 5).join(', ');
        throw badRequest(`${missing.length} file(s) the playlists name are not uploaded yet (${shown}${missing.length > 5 ? ', …' : ''}). Upload them and finalize again.`);
      }
    } catch (error) {
      if (error instanceof PlaylistError) throw badRequest(`${request.master}: ${error.message}`);
      throw error;
    }
  }

  // Hashes are relative to the master's folder, as players resolve segment URLs against it.
  const masterDir = masterFolder(request.master);
  const hashes = Object.fromEntries(
    staged.filter((file) => file.path.startsWith(masterDir)).map((file) => [file.path.slice(masterDir.length), file.sha256]),
  );
  const publishedPath = await media.publish(request.contentId, { [hashesFileFor(request.master)!]: JSON.stringify(hashes) });
  const masterFile = request.master;
  try {
    await prisma.$transaction([
      prisma.rendition.deleteMany({ where: { contentId: request.contentId } }),
      prisma.rendition.createMany({
        data: variants.map((variant) => ({
          contentId: request.contentId,
          width: variant.width ?? 0,
          height: variant.height ?? 0,
          bandwidth: variant.bandwidth,
          averageBandwidth: variant.averageBandwidth,
          codecs: variant.codecs ?? '',
          frameRate: variant.frameRate,
          playlistPath: resolvePlaylistUri(request.master, variant.uri),
        })),
      }),
      prisma.upload.deleteMany({ where: { contentId: request.contentId, status: 'published' } }),
      prisma.upload.updateMany({ where: { contentId: request.contentId, status: 'staged' }, data: { status: 'published' } }),
      prisma.content.update({
        where: { id: request.contentId },
        data: {
          status: 'ready',
          publishedPath,
          masterFile,
          posterFile: request.poster ?? (request.kind === 'photo' ? masterFile : null),
          ...(request.durationSeconds !== undefined ? { durationSeconds: request.durationSeconds } : {}),
          publishedAt: services.now(),
        },
      }),
    ]);
  } catch (error) {
    await media.unpublish(request.contentId, publishedPath).catch(() => undefined);
    throw error;
  }
  // Keep the version players may still be streaming; older ones go.
  const keep = [publishedPath, ...(request.previousPublishedPath ? [request.previousPublishedPath] : [])];
  await media.prunePublished(request.contentId, keep);
  return { publishedPath };
}
