import { randomUUID } from 'node:crypto';
import { link, mkdir, open, readdir, rename, rm } from 'node:fs/promises';
import path from 'node:path';
import { TRPCError } from '@trpc/server';
import { CAPTION_LIMITS, parseWebVtt, type CaptionTrack } from '@spherecast/shared';
import { masterFolder } from '../../core/content-view.ts';
import type { OriginServices } from '../../core/services.ts';
import { parseAttributeList, PlaylistError, readMasterPlaylist } from './playlist.ts';

/**
 * Captions (WebVTT subtitles) of a published video, as HLS renditions (RFC 8216bis §4.4.6.1):
 * each language is `captions/<lang>.vtt` with a one-segment media playlist `captions/<lang>.m3u8`
 * beside the master, named by an `#EXT-X-MEDIA:TYPE=SUBTITLES,GROUP-ID="subs"` line that every
 * variant points at with `SUBTITLES="subs"`. Stock players (Safari, hls.js, ExoPlayer) find them
 * with no Spherecast code.
 *
 * A change never edits a published folder: it makes a new version beside it (hard links to the
 * unchanged files, the new captions and the new master written and synced first) and switches the
 * content to it with one conditional update, as a publish does. A viewer mid-stream keeps the
 * version they started (kept as the previous one); a crash leaves only an unreferenced folder,
 * which the start-up sweep removes; the master is never half-written and never loses a variant.
 * Captions live under the content's published folder, so private content's captions are served
 * only under its signed media URLs, like its segments. With STORAGE=s3 the new version is a
 * server-side copy of the old one's objects in the bucket, with the same order (master last).
 */

/** GROUP-ID of the subtitles renditions the origin writes. */
export const SUBTITLES_GROUP = 'subs';
/** Folder of the caption files, relative to the master's folder. */
export const CAPTIONS_FOLDER = 'captions';

const MEDIA_LINE = '#EXT-X-MEDIA:';
const STREAM_INF = '#EXT-X-STREAM-INF:';

type Attributes = ReturnType<typeof parseAttributeList>;

function serialiseAttributes(attrs: Attributes): string {
  return [...attrs.entries()].map(([name, { value, quoted }]) => `${name}=${quoted ? `"${value}"` : value}`).join(',');
}

/** The subtitles renditions of a master playlist (any group), in order. */
export function subtitleTracksOf(master: string): (CaptionTrack & { groupId: string })[] {
  const out: (CaptionTrack & { groupId: string })[] = [];
  for (const raw of master.split(/\r?\n/)) {
    const line = raw.trim();
    if (!line.startsWith(MEDIA_LINE)) continue;
    const attrs = parseAttributeList(line.slice(MEDIA_LINE.length), '#EXT-X-MEDIA');
    if (attrs.get('TYPE')?.value !== 'SUBTITLES') continue;
    out.push({
      groupId: attrs.get('GROUP-ID')?.value ?? '',
      lang: attrs.get('LANGUAGE')?.value ?? '',
      label: attrs.get('NAME')?.value ?? '',
      playlist: attrs.get('URI')?.value ?? '',
    });
  }
  return out;
}

/** The playlist of one language's captions, relative to the master. */
export const captionPlaylistUri = (lang: string) => `${CAPTIONS_FOLDER}/${lang}.m3u8`;

/**
 * The master with exactly `tracks` as its SUBTITLES group: the origin's earlier subtitles lines are
 * replaced, every other line is kept byte for byte, and each variant gets (or loses)
 * `SUBTITLES="subs"`. The renditions go right before the first variant.
 */
export function masterWithSubtitles(master: string, tracks: readonly { lang: string; label: string }[]): string {
  const lines = master.replace(/\r?\n$/, '').split(/\r?\n/);
  const out: string[] = [];
  let inserted = false;
  for (const line of lines) {
    const trimmed = line.trim();
    if (trimmed.startsWith(MEDIA_LINE)) {
      const attrs = parseAttributeList(trimmed.slice(MEDIA_LINE.length), '#EXT-X-MEDIA');
      if (attrs.get('TYPE')?.value === 'SUBTITLES' && attrs.get('GROUP-ID')?.value === SUBTITLES_GROUP) continue;
    }
    if (!inserted && (trimmed.startsWith(STREAM_INF) || trimmed.startsWith('#EXT-X-I-FRAME-STREAM-INF:'))) {
      inserted = true;
      for (const track of tracks) {
        out.push(
          `#EXT-X-MEDIA:TYPE=SUBTITLES,GROUP-ID="${SUBTITLES_GROUP}",NAME="${track.label}",LANGUAGE="${track.lang}",DEFAULT=NO,AUTOSELECT=YES,FORCED=NO,URI="${captionPlaylistUri(track.lang)}"`,
        );
      }
    }
    if (trimmed.startsWith(STREAM_INF)) {
      const attrs = parseAttributeList(trimmed.slice(STREAM_INF.length), '#EXT-X-STREAM-INF');
      attrs.delete('SUBTITLES');
      if (tracks.length > 0) attrs.set('SUBTITLES', { value: SUBTITLES_GROUP, quoted: true });
      out.push(`${STREAM_INF}${serialiseAttributes(attrs)}`);
      continue;
    }
    out.push(line);
  }
  return `${out.join('\n')}\n`;
}

/** A one-segment VOD media playlist for a WebVTT file (RFC 8216bis §4.4.3). */
export function captionMediaPlaylist(lang: string, durationSeconds: number): string {
  const seconds = Math.max(1, durationSeconds);
  return [
    '#EXTM3U',
    '#EXT-X-VERSION:3',
    `#EXT-X-TARGETDURATION:${Math.ceil(seconds)}`,
    '#EXT-X-MEDIA-SEQUENCE:0',
    '#EXT-X-PLAYLIST-TYPE:VOD',
    `#EXTINF:${seconds.toFixed(3)},`,
    `${lang}.vtt`,
    '#EXT-X-ENDLIST',
    '',
  ].join('\n');
}

interface CaptionContent {
  id: string;
  kind: string;
  status: string;
  publishedPath: string | null;
  masterFile: string | null;
  durationSeconds: number | null;
}

const CAPTIONABLE_STATUSES = new Set(['ready', 'ended']);

function requireCaptionable(content: CaptionContent): asserts content is CaptionContent & { publishedPath: string; masterFile: string } {
  if (content.kind === 'photo') throw new TRPCError({ code: 'BAD_REQUEST', message: 'A photo has no captions; captions belong to videos.' });
  if (!CAPTIONABLE_STATUSES.has(content.status) || !content.publishedPath || !content.masterFile) {
    throw new TRPCError({
      code: 'CONFLICT',
      message:
        content.status === 'live'
          ? 'Captions are added once the broadcast has ended and become a video.'
          : 'This video is not published yet. Publish (finalize) it first, then add captions.',
    });
  }
}

/** Reads the published master of a content (from disk, or the bucket with STORAGE=s3). */
export async function readPublishedMaster(services: OriginServices, content: { publishedPath: string; masterFile: string }): Promise<string> {
  const object = await services.media.openPublished(`${content.publishedPath}/${content.masterFile}`);
  if (!object) throw new Error(`the published master ${content.publishedPath}/${content.masterFile} is missing`);
  const chunks: Buffer[] = [];
  for await (const chunk of await object.read()) chunks.push(Buffer.from(chunk as Uint8Array));
  return Buffer.concat(chunks).toString('utf8');
}

async function writeSynced(file: string, text: string): Promise<void> {
  await mkdir(path.dirname(file), { recursive: true });
  const handle = await open(file, 'wx');
  try {
    await handle.writeFile(text);
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/** Hard-links every file of `from` into `to` (a new folder), except those `skip` names (relative paths). */
async function linkTree(from: string, to: string, skip: Set<string>, relative = ''): Promise<void> {
  await mkdir(path.join(to, relative), { recursive: true });
  for (const entry of await readdir(path.join(from, relative), { withFileTypes: true })) {
    const child = relative ? `${relative}/${entry.name}` : entry.name;
    if (entry.isDirectory()) await linkTree(from, to, skip, child);
    else if (!skip.has(child)) await link(path.join(from, child), path.join(to, child));
  }
}

export type CaptionChange = { put: { lang: string; label: string; vtt: string } } | { remove: string };

/**
 * Applies one change to a content's captions as a new published version (see the file comment).
 * Returns the captions after the change.
 */
export async function changeCaptions(services: OriginServices, contentId: string, change: CaptionChange): Promise<CaptionTrack[]> {
  const { prisma, media } = services;
  const content = await prisma.content.findUniqueOrThrow({
    where: { id: contentId },
    select: { id: true, kind: true, status: true, publishedPath: true, masterFile: true, durationSeconds: true },
  });
  requireCaptionable(content);
  if (await prisma.publishAttempt.findUnique({ where: { contentId }, select: { contentId: true } })) {
    throw new TRPCError({ code: 'CONFLICT', message: 'A publish of this video is in progress. Wait for it to finish, then add the captions again.' });
  }
  const master = await readPublishedMaster(services, content);
  const existing = subtitleTracksOf(master);
  const foreign = existing.find((track) => track.groupId !== SUBTITLES_GROUP);
  if (foreign) {
    throw new TRPCError({
      code: 'CONFLICT',
      message: `This ladder was published with its own subtitles (group "${foreign.groupId}"). Publish it without them to manage captions here.`,
    });
  }
  let tracks = existing.map(({ lang, label }) => ({ lang, label }));
  const masterDir = masterFolder(content.masterFile);
  const written: Record<string, string> = {};
  if ('put' in change) {
    const { lang, label, vtt } = change.put;
    if (tracks.some((track) => track.label === label && track.lang !== lang)) {
      throw new TRPCError({ code: 'BAD_REQUEST', message: `label: another language is already called "${label}"; give each language its own label.` });
    }
    if (!tracks.some((track) => track.lang === lang) && tracks.length >= CAPTION_LIMITS.tracks) {
      throw new TRPCError({ code: 'BAD_REQUEST', message: `This video has ${CAPTION_LIMITS.tracks} caption languages, the most allowed. Remove one first.` });
    }
    tracks = tracks.some((track) => track.lang === lang)
      ? tracks.map((track) => (track.lang === lang ? { lang, label } : track))
      : [...tracks, { lang, label }];
    const cues = parseWebVtt(vtt);
    const lastCueEnd = Math.max(...cues.map((cue) => cue.endSeconds));
    written[`${masterDir}${CAPTIONS_FOLDER}/${lang}.vtt`] = vtt;
    written[`${masterDir}${captionPlaylistUri(lang)}`] = captionMediaPlaylist(lang, Math.max(content.durationSeconds ?? 0, lastCueEnd));
  } else {
    if (!tracks.some((track) => track.lang === change.remove)) {
      throw new TRPCError({ code: 'NOT_FOUND', message: `This video has no ${change.remove} captions.` });
    }
    tracks = tracks.filter((track) => track.lang !== change.remove);
  }
  const nextMaster = masterWithSubtitles(master, tracks);
  // The rewritten master must still be a master the origin accepts, with every variant it had.
  try {
    const before = readMasterPlaylist(master, content.masterFile).variants.length;
    if (readMasterPlaylist(nextMaster, content.masterFile).variants.length !== before) throw new PlaylistError('a variant was lost');
  } catch (error) {
    if (error instanceof PlaylistError) throw new Error(`captions: the rewritten master is not valid (${error.message})`, { cause: error });
    throw error;
  }
  written[content.masterFile] = nextMaster;

  const removed = 'remove' in change ? [`${masterDir}${CAPTIONS_FOLDER}/${change.remove}.vtt`, `${masterDir}${captionPlaylistUri(change.remove)}`] : [];
  const target = `${contentId}/${randomUUID()}`;
  const skip = new Set([...Object.keys(written), ...removed]);
  // With STORAGE=s3 the version is in the bucket: the new one is a server-side copy of its objects,
  // the changed files put beside them, the master last.
  const bucket = media.remote && (await media.remote.list(`${content.publishedPath}/`)).length > 0 ? media.remote : null;
  if (bucket) {
    try {
      await bucket.copyPrefix(`${content.publishedPath}/`, `${target}/`, skip);
      for (const [relative, text] of Object.entries(written)) {
        if (relative !== content.masterFile) await bucket.putText(`${target}/${relative}`, text);
      }
      await bucket.putText(`${target}/${content.masterFile}`, nextMaster);
      await switchVersion(services, contentId, content.publishedPath, target);
    } catch (error) {
      await bucket.removePrefix(`${target}/`);
      throw error;
    }
    return afterSwitch(services, contentId, [target, content.publishedPath], tracks);
  }
  const targetDir = media.publishedFile(target);
  try {
    await linkTree(media.publishedFile(content.publishedPath), targetDir, skip);
    for (const [relative, text] of Object.entries(written)) {
      // The master last: a folder with a master has everything the master names.
      if (relative !== content.masterFile) await writeSynced(media.publishedFile(`${target}/${relative}`), text);
    }
    const temporary = `${content.masterFile}.tmp-${randomUUID()}`;
    await writeSynced(media.publishedFile(`${target}/${temporary}`), nextMaster);
    await rename(media.publishedFile(`${target}/${temporary}`), media.publishedFile(`${target}/${content.masterFile}`));
    await switchVersion(services, contentId, content.publishedPath, target);
  } catch (error) {
    await rm(targetDir, { recursive: true, force: true });
    throw error;
  }
  return afterSwitch(services, contentId, [target, content.publishedPath], tracks);
}

/** Points the content at the new version, if it still shows the one the change was made from. */
async function switchVersion(services: OriginServices, contentId: string, from: string, to: string): Promise<void> {
  const switched = await services.prisma.content.updateMany({
    where: { id: contentId, publishedPath: from },
    data: { publishedPath: to, previousPublishedPath: from },
  });
  if (switched.count !== 1) {
    throw new TRPCError({
      code: 'CONFLICT',
      message: 'The video changed meanwhile (another publish or caption change). Send the captions again.',
    });
  }
}

async function afterSwitch(services: OriginServices, contentId: string, keep: string[], tracks: { lang: string; label: string }[]): Promise<CaptionTrack[]> {
  services.mediaAccess.invalidate(contentId);
  // Keep the version players may still be streaming; older ones go.
  await services.media.prunePublished(contentId, keep);
  return tracks.map((track) => ({ ...track, playlist: captionPlaylistUri(track.lang) }));
}

/** The captions of a published content (none before it is published). */
export async function listCaptions(services: OriginServices, content: CaptionContent): Promise<CaptionTrack[]> {
  if (!content.publishedPath || !content.masterFile || content.kind === 'photo') return [];
  const master = await readPublishedMaster(services, { publishedPath: content.publishedPath, masterFile: content.masterFile }).catch(() => null);
  return master === null ? [] : subtitleTracksOf(master).map(({ lang, label, playlist }) => ({ lang, label, playlist }));
}
