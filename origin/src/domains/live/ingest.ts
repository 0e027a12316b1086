/**
 * The HLS push ingest (`PUT /live/{channelId}/{path}`): which files a channel accepts, and what
 * accepting one does. The edge parses the request; everything here runs under the channel lock.
 */
import { createHash } from 'node:crypto';
import { LIVE_LIMITS, type LiveIngestPath } from '@spherecast/shared';
import type { PrismaClient } from '../../db/database.ts';
import { filesOf, refreshMasterAndGoLive, withChannelLocked, writeRungPlaylists, type ChannelRow, type LiveServices, type Tx } from './broadcast.ts';
import { Fmp4Error, readInit, readSegmentTiming } from './fmp4.ts';
import { initFileName, parseEncoderMaster, PlaylistError, segmentFileName } from './live-playlists.ts';
import { hashStreamKey } from './stream-keys.ts';

export type IngestAnswer = { ok: true; status: 200 | 201 | 204; body?: Record<string, unknown> } | { ok: false; status: number; message: string };

const refuse = (status: number, message: string): IngestAnswer => ({ ok: false, status, message });

/** Largest body each kind of file may have (a larger one is a 413). */
export function sizeLimitOf(path: LiveIngestPath): number {
  if (path.kind === 'segment') return LIVE_LIMITS.segmentBytes;
  if (path.kind === 'init') return LIVE_LIMITS.initBytes;
  return LIVE_LIMITS.playlistBytes;
}

/** Whether `key` is the stream key of channel `channelId` (answers the same for an unknown channel). */
export async function keyMatches(prisma: PrismaClient, channelId: string, key: string): Promise<boolean> {
  const channel = await prisma.liveChannel.findUnique({ where: { streamKeyHash: hashStreamKey(key) }, select: { id: true } });
  return channel?.id === channelId;
}

/** The channel a stream key opens, for the RTMP ingest; null for an unknown key. */
export async function channelOfKey(prisma: PrismaClient, key: string) {
  return prisma.liveChannel.findUnique({ where: { streamKeyHash: hashStreamKey(key) }, select: { id: true, state: true } });
}

const endedMessage = "This channel's broadcast has ended: its recording is now a video. Open a new channel (POST /api/live/channels) to go live again.";

/** Accepts one pushed file. `body` is complete and within {@link sizeLimitOf}. */
export async function ingestFile(services: LiveServices, channelId: string, path: LiveIngestPath, body: Buffer): Promise<IngestAnswer> {
  const answer = await withChannelLocked(services.prisma, channelId, async (tx, channel) => {
    if (channel.state === 'ended') return refuse(409, endedMessage);
    switch (path.kind) {
      case 'master':
        return acceptMaster(services, tx, channel, body);
      case 'playlist':
        // The encoder's own media playlist is only a hint: the origin writes the viewers' playlists itself.
        return body.subarray(0, 7).toString('latin1') === '#EXTM3U'
          ? ({ ok: true, status: 204 } as const)
          : refuse(400, `${path.rung}/index.m3u8 must start with #EXTM3U.`);
      case 'init':
        return acceptInit(services, tx, channel, path.rung, body);
      case 'segment':
        return acceptSegment(services, tx, channel, path.rung, path.sequence, body);
    }
  });
  return answer ?? refuse(401, 'The stream key does not open this channel.');
}

async function acceptMaster(services: LiveServices, tx: Tx, channel: ChannelRow, body: Buffer): Promise<IngestAnswer> {
  const text = body.toString('utf8');
  try {
    parseEncoderMaster(text);
  } catch (error) {
    if (error instanceof PlaylistError) return refuse(400, error.message);
    throw error;
  }
  await tx.liveChannel.update({ where: { id: channel.id }, data: { encoderMaster: text }, select: { id: true } });
  channel.encoderMaster = text;
  await refreshMasterAndGoLive(services, tx, channel);
  return { ok: true, status: 201 };
}

async function acceptInit(services: LiveServices, tx: Tx, channel: ChannelRow, rung: string, body: Buffer): Promise<IngestAnswer> {
  let info;
  try {
    info = readInit(body);
  } catch (error) {
    if (error instanceof Fmp4Error) return refuse(400, `${rung}/init.mp4: ${error.message}`);
    throw error;
  }
  const sha256 = createHash('sha256').update(body).digest('hex');
  const latest = await tx.liveInit.findFirst({ where: { channelId: channel.id, rung }, orderBy: { index: 'desc' }, select: { index: true, sha256: true } });
  // An encoder that starts again usually sends the same init: it stays the one its segments use.
  if (latest?.sha256 === sha256) return { ok: true, status: 200, body: { file: `${rung}/${initFileName(latest.index)}` } };
  const index = (latest?.index ?? -1) + 1;
  await filesOf(services, channel).write(`${rung}/${initFileName(index)}`, body);
  await tx.liveInit.create({ data: { channelId: channel.id, rung, index, file: initFileName(index), sha256, ...info }, select: { index: true } });
  await refreshMasterAndGoLive(services, tx, channel);
  return { ok: true, status: 201, body: { file: `${rung}/${initFileName(index)}` } };
}

/** Timestamps within this much of where the previous segment ended continue it (no discontinuity). */
const CONTINUITY_TOLERANCE_SECONDS = 0.5;

async function acceptSegment(services: LiveServices, tx: Tx, channel: ChannelRow, rung: string, sequence: number, body: Buffer): Promise<IngestAnswer> {
  const name = `${rung}/${segmentFileName(sequence)}`;
  const sha256 = createHash('sha256').update(body).digest('hex');
  const previous = await tx.liveSegment.findFirst({
    where: { channelId: channel.id, rung },
    orderBy: { sequence: 'desc' },
    select: { sequence: true, initIndex: true, durationSeconds: true, decodeTime: true, programDateTime: true },
  });
  if (previous && sequence <= previous.sequence) {
    const same = await tx.liveSegment.findUnique({ where: { channelId_rung_sequence: { channelId: channel.id, rung, sequence } }, select: { sha256: true } });
    // A retry of a segment already accepted (the answer was lost) is fine; anything else would rewrite the recording.
    if (same?.sha256 === sha256) return { ok: true, status: 200, body: { file: name, duplicate: true } };
    return refuse(
      409,
      `${name}: segment numbers must increase, and ${rung} already has up to seg_${previous.sequence}.m4s. Number the next segment ${previous.sequence + 1} or higher (ffmpeg: -start_number ${previous.sequence + 1}).`,
    );
  }
  const init = await tx.liveInit.findFirst({
    where: { channelId: channel.id, rung },
    orderBy: { index: 'desc' },
    select: { index: true, timescale: true, trackId: true },
  });
  if (!init) return refuse(409, `${name}: push ${rung}/init.mp4 before the segments of ${rung}.`);
  let timing;
  try {
    timing = readSegmentTiming(body, init);
  } catch (error) {
    if (error instanceof Fmp4Error) return refuse(400, `${name}: ${error.message}`);
    throw error;
  }
  if (!(timing.durationSeconds > 0 && timing.durationSeconds <= 30)) {
    return refuse(400, `${name} lasts ${timing.durationSeconds.toFixed(3)} s; live segments must last more than 0 and at most 30 s (1 to 2 s is best).`);
  }
  const now = services.now();
  let discontinuity = false;
  let programDateTime: Date;
  if (previous) {
    const expected = previous.decodeTime + BigInt(Math.round(previous.durationSeconds * init.timescale));
    discontinuity = previous.initIndex !== init.index || Math.abs(Number(timing.decodeTime - expected)) > CONTINUITY_TOLERANCE_SECONDS * init.timescale;
  }
  if (previous && !discontinuity) {
    programDateTime = new Date(previous.programDateTime.getTime() + Math.round(previous.durationSeconds * 1000));
  } else {
    // A new encoder session: the same segment of another rung (encoders number rungs in step) gives
    // the time, so rungs stay aligned; else it ended about now. Never before the previous segment's end.
    const sibling = await tx.liveSegment.findFirst({ where: { channelId: channel.id, sequence, rung: { not: rung } }, select: { programDateTime: true } });
    let at = sibling?.programDateTime.getTime() ?? now.getTime() - Math.round(timing.durationSeconds * 1000);
    if (previous) at = Math.max(at, previous.programDateTime.getTime() + Math.round(previous.durationSeconds * 1000));
    programDateTime = new Date(at);
  }
  await filesOf(services, channel).write(name, body);
  await tx.liveSegment.create({
    data: {
      channelId: channel.id,
      rung,
      sequence,
      initIndex: init.index,
      durationSeconds: timing.durationSeconds,
      decodeTime: timing.decodeTime,
      programDateTime,
      discontinuity,
      size: body.length,
      sha256,
    },
    select: { sequence: true },
  });
  const targetDuration = Math.max(channel.targetDuration, Math.max(1, Math.round(timing.durationSeconds)));
  await tx.liveChannel.update({ where: { id: channel.id }, data: { lastIngestAt: now, targetDuration }, select: { id: true } });
  channel.targetDuration = targetDuration;
  channel.lastIngestAt = now;
  await writeRungPlaylists(services, tx, channel, rung, targetDuration);
  if (channel.state === 'idle') await refreshMasterAndGoLive(services, tx, channel);
  return { ok: true, status: 201, body: { file: name, durationSeconds: timing.durationSeconds, discontinuity } };
}
