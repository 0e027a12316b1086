/**
 * A broadcast's state on the database and on disk: the channel lock every change runs under, the
 * playlists rewritten from the accepted segments, going on air, and ending into a VOD.
 */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import type { LiveChannelStatus, Projection } from '@spherecast/shared';
import { HASHES_FILE } from '../../core/content-view.ts';
import { LIVE_HASHES_FILE } from '../../core/playback.ts';
import type { OriginServices } from '../../core/services.ts';
import type { Prisma, PrismaClient } from '../../db/database.ts';
import { BroadcastFiles } from './broadcast-files.ts';
import {
  initFileName,
  MASTER_PLAYLIST,
  mediaPlaylist,
  parseEncoderMaster,
  RECORDING_PLAYLIST,
  RUNG_PLAYLIST,
  rungsOf,
  segmentFileName,
  viewerMaster,
  type EncoderMaster,
} from './live-playlists.ts';

export type Tx = Prisma.TransactionClient;
export type LiveServices = Pick<OriginServices, 'prisma' | 'media' | 'config' | 'searchCache' | 'mediaAccess' | 'now'>;

/** The channel columns the ingest and the lifecycle work from. */
export const channelSelect = {
  id: true,
  ownerId: true,
  contentId: true,
  state: true,
  encoderMaster: true,
  targetDuration: true,
  lastIngestAt: true,
  content: { select: { publishedPath: true, projection: true } },
} as const satisfies Prisma.LiveChannelSelect;
export type ChannelRow = Prisma.LiveChannelGetPayload<{ select: typeof channelSelect }>;

/** Long enough for a 16 MiB segment to be written under the lock on a slow disk. */
const LOCK_TRANSACTION = { maxWait: 15_000, timeout: 30_000 } as const;

/**
 * Runs `work` with the channel's row locked (one change at a time per channel, across origins that
 * share the database). Null when the channel does not exist.
 */
export async function withChannelLocked<T>(prisma: PrismaClient, channelId: string, work: (tx: Tx, channel: ChannelRow) => Promise<T>): Promise<T | null> {
  return prisma.$transaction(async (tx) => {
    const locked = await tx.$queryRaw<Array<{ id: string }>>`SELECT "id" FROM "LiveChannel" WHERE "id" = ${channelId}::uuid FOR UPDATE`;
    if (locked.length === 0) return null;
    const channel = await tx.liveChannel.findUniqueOrThrow({ where: { id: channelId }, select: channelSelect });
    return work(tx, channel);
  }, LOCK_TRANSACTION);
}

export function filesOf(services: Pick<OriginServices, 'media'>, channel: ChannelRow): BroadcastFiles {
  const publishedPath = channel.content.publishedPath;
  if (!publishedPath) throw new Error(`live channel ${channel.id} has no broadcast folder`);
  return new BroadcastFiles(services.media, publishedPath);
}

/** Silence after which a channel on air shows `reconnecting`: three segments, and at least 3 s. */
export function reconnectAfterMs(targetDuration: number): number {
  return Math.max(3, 3 * targetDuration) * 1000;
}

export function statusOf(channel: { state: string; lastIngestAt: Date | null; targetDuration: number }, now: Date): LiveChannelStatus {
  if (channel.state === 'idle') return 'idle';
  if (channel.state === 'ended') return 'ended';
  const silentMs = now.getTime() - (channel.lastIngestAt?.getTime() ?? 0);
  return silentMs > reconnectAfterMs(channel.targetDuration) ? 'reconnecting' : 'live';
}

async function segmentsOf(tx: Tx, channelId: string, rung: string) {
  return tx.liveSegment.findMany({
    where: { channelId, rung },
    orderBy: { sequence: 'asc' },
    select: { sequence: true, initIndex: true, durationSeconds: true, programDateTime: true, discontinuity: true, sha256: true },
  });
}

/** Rewrites a rung's window and recording playlists from its accepted segments. */
export async function writeRungPlaylists(services: LiveServices, tx: Tx, channel: ChannelRow, rung: string, targetDuration: number): Promise<void> {
  const segments = await segmentsOf(tx, channel.id, rung);
  const files = filesOf(services, channel);
  // Before the playlists name the new segment, so players can check it when a peer sends it.
  await files.write(LIVE_HASHES_FILE, JSON.stringify(await liveHashes(tx, channel.id, services.config.liveWindowSeconds, targetDuration)));
  await files.write(`${rung}/${RECORDING_PLAYLIST}`, mediaPlaylist(segments, targetDuration, { type: 'recording' }));
  await files.write(`${rung}/${RUNG_PLAYLIST}`, mediaPlaylist(segments, targetDuration, { type: 'window', windowSeconds: services.config.liveWindowSeconds }));
}

/** The SHA-256 of each init segment and of the newest segments of every rung (a bit more than the window), for checking peer data while live. */
async function liveHashes(tx: Tx, channelId: string, windowSeconds: number, targetDuration: number): Promise<Record<string, string>> {
  // Up to 4 rungs and audio, each with the window plus a few segments of slack.
  const perRung = Math.ceil(windowSeconds / Math.max(1, targetDuration)) + 6;
  const [inits, segments] = await Promise.all([
    tx.liveInit.findMany({ where: { channelId }, select: { rung: true, index: true, sha256: true } }),
    tx.liveSegment.findMany({
      where: { channelId },
      orderBy: { programDateTime: 'desc' },
      take: 5 * perRung,
      select: { rung: true, sequence: true, sha256: true },
    }),
  ]);
  const hashes: Record<string, string> = {};
  for (const init of inits) hashes[`${init.rung}/${initFileName(init.index)}`] = init.sha256;
  for (const segment of segments) hashes[`${segment.rung}/${segmentFileName(segment.sequence)}`] = segment.sha256;
  return hashes;
}

/** The latest init segment of each rung: its codecs go into the viewers' master. */
async function latestCodecs(tx: Tx, channelId: string): Promise<Map<string, string>> {
  const inits = await tx.liveInit.findMany({ where: { channelId }, orderBy: { index: 'asc' }, select: { rung: true, codecs: true } });
  return new Map(inits.map((init) => [init.rung, init.codecs]));
}

/**
 * Writes the viewers' master when the encoder's master and every rung's init segment are there,
 * and puts the broadcast on air once every rung has a segment too. Returns the master it wrote.
 */
export async function refreshMasterAndGoLive(services: LiveServices, tx: Tx, channel: ChannelRow): Promise<void> {
  if (channel.encoderMaster === null || channel.state === 'ended') return;
  const master = parseEncoderMaster(channel.encoderMaster);
  const text = viewerMaster(master, channel.content.projection as Projection, await latestCodecs(tx, channel.id));
  if (text === null) return;
  await filesOf(services, channel).write(MASTER_PLAYLIST, text);
  if (channel.state !== 'idle') return;
  const counts = await tx.liveSegment.groupBy({ by: ['rung'], where: { channelId: channel.id }, _count: { _all: true } });
  const withSegments = new Set(counts.map((c) => c.rung));
  if (!rungsOf(master).every((rung) => withSegments.has(rung))) return;
  const now = services.now();
  await tx.liveChannel.update({ where: { id: channel.id }, data: { state: 'live', startedAt: now }, select: { id: true } });
  await tx.content.update({ where: { id: channel.contentId }, data: { status: 'live', publishedAt: now, masterFile: MASTER_PLAYLIST }, select: { id: true } });
  channel.state = 'live';
  afterContentChange(services, channel.contentId);
}

export function afterContentChange(services: Pick<OriginServices, 'searchCache' | 'mediaAccess'>, contentId: string): void {
  services.searchCache.invalidate();
  services.mediaAccess.invalidate(contentId);
}

function rungSize(rung: string): { width: number; height: number } {
  const [width = 0, height = 0] = rung.split('x').map(Number);
  return { width, height };
}

/**
 * Ends the broadcast (the creator's end, or the grace period running out): each rung's playlist
 * becomes the whole recording with EXT-X-ENDLIST, hashes.json lists every init and segment, and the
 * content turns into a ready VOD of the same id, with its likes and comments. Nothing is re-encoded
 * and no segment is rewritten. A broadcast that never went on air just ends (its draft stays hidden).
 */
export async function endBroadcast(services: LiveServices, channelId: string, options: { onlyIfSilentSince?: Date } = {}): Promise<ChannelRow | null> {
  const ended = await endUnderLock(services, channelId, options);
  // With STORAGE=s3 the recording joins the other published media in the bucket (the ingest wrote
  // it on this origin's disk while on air). Ending again (an ended channel) finishes a move a crash cut short.
  if (ended?.state === 'ended' && ended.content.publishedPath) await services.media.moveToBucket(ended.content.publishedPath);
  return ended;
}

function endUnderLock(services: LiveServices, channelId: string, options: { onlyIfSilentSince?: Date }): Promise<ChannelRow | null> {
  return withChannelLocked(services.prisma, channelId, async (tx, channel) => {
    if (channel.state === 'ended') return channel;
    // The grace period's end: a segment that came in meanwhile keeps the broadcast on.
    const since = options.onlyIfSilentSince;
    if (since && channel.lastIngestAt && channel.lastIngestAt >= since) return channel;
    const now = services.now();
    const wasOnAir = channel.state === 'live' && channel.encoderMaster !== null;
    if (wasOnAir) {
      const master: EncoderMaster = parseEncoderMaster(channel.encoderMaster!);
      const files = filesOf(services, channel);
      const hashes: Record<string, string> = {};
      let durationSeconds = 0;
      for (const [i, rung] of rungsOf(master).entries()) {
        const segments = await segmentsOf(tx, channel.id, rung);
        const vod = mediaPlaylist(segments, channel.targetDuration, { type: 'vod' });
        await files.write(`${rung}/${RECORDING_PLAYLIST}`, vod);
        await files.write(`${rung}/${RUNG_PLAYLIST}`, vod);
        hashes[`${rung}/${RUNG_PLAYLIST}`] = sha256(vod);
        const inits = await tx.liveInit.findMany({ where: { channelId, rung }, select: { index: true, sha256: true } });
        for (const init of inits) hashes[`${rung}/${initFileName(init.index)}`] = init.sha256;
        for (const segment of segments) hashes[`${rung}/${segmentFileName(segment.sequence)}`] = segment.sha256;
        if (i === 0) durationSeconds = segments.reduce((sum, s) => sum + s.durationSeconds, 0);
      }
      hashes[MASTER_PLAYLIST] = sha256(await readFile(files.file(MASTER_PLAYLIST)));
      await files.write(HASHES_FILE, JSON.stringify(hashes));
      const codecs = await latestCodecs(tx, channel.id);
      await tx.rendition.deleteMany({ where: { contentId: channel.contentId } });
      await tx.rendition.createMany({
        data: master.variants.map((v) => ({
          contentId: channel.contentId,
          ...rungSize(v.rung),
          bandwidth: v.bandwidth,
          averageBandwidth: v.averageBandwidth,
          codecs: [codecs.get(v.rung) ?? '', ...(v.audioGroup ? [codecs.get('audio') ?? ''] : [])].filter(Boolean).join(','),
          frameRate: v.frameRate,
          playlistPath: `${v.rung}/${RUNG_PLAYLIST}`,
        })),
      });
      await tx.content.update({ where: { id: channel.contentId }, data: { status: 'ready', durationSeconds }, select: { id: true } });
    }
    const ended = await tx.liveChannel.update({ where: { id: channel.id }, data: { state: 'ended', endedAt: now }, select: channelSelect });
    afterContentChange(services, channel.contentId);
    return ended;
  });
}

function sha256(data: string | Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}

/** Viewers of a broadcast: playback sessions with a heartbeat in the last minute. */
export async function viewersOf(prisma: PrismaClient, contentId: string, now: Date): Promise<number> {
  return prisma.viewingSession.count({ where: { contentId, completed: false, lastHeartbeatAt: { gt: new Date(now.getTime() - 60_000) } } });
}
