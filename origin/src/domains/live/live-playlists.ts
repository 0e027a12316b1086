/**
 * The playlists the origin writes for a broadcast, from the segments it accepted (never from the
 * encoder's own playlists): the viewers' sliding window, the whole recording beside it, the VOD it
 * becomes, and the master rebuilt from the encoder's with codecs read from the init segments.
 */
import { LIVE_LIMITS, LIVE_RUNG_PATTERN, type Projection } from '@spherecast/shared';
import { parseMasterPlaylist, PROJECTION_SESSION_DATA_ID, requiredHlsVersion, videoLayoutOf } from '@spherecast/shared/media';

export interface PlaylistSegment {
  sequence: number;
  initIndex: number;
  durationSeconds: number;
  programDateTime: Date;
  discontinuity: boolean;
}

export const initFileName = (index: number) => `init_${index}.mp4`;
export const segmentFileName = (sequence: number) => `seg_${sequence}.m4s`;
/** The viewers' playlist of a rung (the window while live, the VOD once ended). */
export const RUNG_PLAYLIST = 'index.m3u8';
/** The whole recording of a rung, beside the window. */
export const RECORDING_PLAYLIST = 'recording.m3u8';
export const MASTER_PLAYLIST = 'master.m3u8';

export type PlaylistKind = { type: 'window'; windowSeconds: number } | { type: 'recording' } | { type: 'vod' };

/**
 * A rung's media playlist. `segments` is the whole recording in order; the media sequence number of
 * a segment is its position in it, so the window and the recording number segments alike.
 */
export function mediaPlaylist(segments: readonly PlaylistSegment[], targetDuration: number, kind: PlaylistKind): string {
  let first = 0;
  if (kind.type === 'window') {
    // The newest segments that fit in the window, and at least three (a player needs them to start).
    let total = 0;
    first = segments.length;
    while (first > 0) {
      const next = segments[first - 1]!;
      if (segments.length - first >= 3 && total + next.durationSeconds > kind.windowSeconds) break;
      total += next.durationSeconds;
      first -= 1;
    }
  }
  const shown = segments.slice(first);
  const discontinuitiesBefore = segments.slice(0, first).filter((s) => s.discontinuity).length;
  const lines = ['#EXTM3U', '#EXT-X-VERSION:7', `#EXT-X-TARGETDURATION:${Math.max(1, targetDuration)}`, `#EXT-X-MEDIA-SEQUENCE:${first}`];
  if (discontinuitiesBefore > 0) lines.push(`#EXT-X-DISCONTINUITY-SEQUENCE:${discontinuitiesBefore}`);
  if (kind.type === 'recording') lines.push('#EXT-X-PLAYLIST-TYPE:EVENT');
  if (kind.type === 'vod') lines.push('#EXT-X-PLAYLIST-TYPE:VOD');
  lines.push('#EXT-X-INDEPENDENT-SEGMENTS');
  let init: number | null = null;
  for (const [i, segment] of shown.entries()) {
    if (segment.discontinuity && (i > 0 || first > 0)) lines.push('#EXT-X-DISCONTINUITY');
    if (segment.initIndex !== init) {
      lines.push(`#EXT-X-MAP:URI="${initFileName(segment.initIndex)}"`);
      init = segment.initIndex;
    }
    lines.push(
      `#EXT-X-PROGRAM-DATE-TIME:${segment.programDateTime.toISOString()}`,
      `#EXTINF:${segment.durationSeconds.toFixed(6)},`,
      segmentFileName(segment.sequence),
    );
  }
  if (kind.type === 'vod') lines.push('#EXT-X-ENDLIST');
  return `${lines.join('\n')}\n`;
}

export interface EncoderVariant {
  rung: string;
  bandwidth: number;
  averageBandwidth: number | null;
  frameRate: number | null;
  audioGroup: string | null;
}

export interface EncoderMaster {
  variants: EncoderVariant[];
  /** The audio rendition (`audio/index.m3u8`), when the encoder pushes audio apart from the video. */
  audio: { groupId: string; name: string; channels: string | null } | null;
}

export class PlaylistError extends Error {
  override name = 'PlaylistError';
}

const RUNG_URI = /^([^/]+)\/index\.m3u8$/;
const TOKEN = /^[A-Za-z0-9_. -]{1,64}$/;

function rungOf(uri: string, what: string): string {
  const match = RUNG_URI.exec(uri);
  if (!match || !LIVE_RUNG_PATTERN.test(match[1]!)) {
    throw new PlaylistError(`master.m3u8: ${what} URI ${JSON.stringify(uri)} must be {rung}/index.m3u8 with {rung} WIDTHxHEIGHT (e.g. 1280x640) or audio.`);
  }
  return match[1]!;
}

/** Checks the master playlist an encoder pushed; throws a PlaylistError naming the problem. */
export function parseEncoderMaster(text: string): EncoderMaster {
  if (!text.startsWith('#EXTM3U')) throw new PlaylistError('master.m3u8 must start with #EXTM3U.');
  const parsed = parseMasterPlaylist(text);
  const audioMedia = parsed.media.filter((m) => m.TYPE === 'AUDIO');
  if (parsed.media.length > audioMedia.length) throw new PlaylistError('master.m3u8: only EXT-X-MEDIA of TYPE=AUDIO (audio/index.m3u8) is accepted.');
  if (audioMedia.length > 1) throw new PlaylistError('master.m3u8: push at most one audio rendition (audio/index.m3u8).');
  let audio: EncoderMaster['audio'] = null;
  const media = audioMedia[0];
  if (media) {
    if (rungOf(media.URI ?? '', 'the audio') !== 'audio') throw new PlaylistError('master.m3u8: the audio rendition must be audio/index.m3u8.');
    const groupId = media['GROUP-ID'] ?? '';
    if (!TOKEN.test(groupId) || !TOKEN.test(media.NAME ?? 'audio'))
      throw new PlaylistError('master.m3u8: the audio GROUP-ID and NAME must be 1 to 64 letters, digits, spaces, -, _ or .');
    const channels = media.CHANNELS ?? null;
    if (channels !== null && !/^[0-9]{1,2}$/.test(channels)) throw new PlaylistError('master.m3u8: CHANNELS must be a number of channels, e.g. "2".');
    audio = { groupId, name: media.NAME ?? 'audio', channels };
  }
  if (parsed.variants.length === 0)
    throw new PlaylistError('master.m3u8 names no variant stream (EXT-X-STREAM-INF): push the master with at least one {rung}/index.m3u8.');
  if (parsed.variants.length > LIVE_LIMITS.rungsMax)
    throw new PlaylistError(`master.m3u8 names ${parsed.variants.length} variants; at most ${LIVE_LIMITS.rungsMax} are accepted.`);
  const seen = new Set<string>();
  const variants = parsed.variants.map(({ uri, attributes }) => {
    const rung = rungOf(uri, 'a variant');
    if (rung === 'audio') throw new PlaylistError('master.m3u8: audio/index.m3u8 is the audio rendition (EXT-X-MEDIA), not a variant.');
    if (seen.has(rung)) throw new PlaylistError(`master.m3u8 names ${rung}/index.m3u8 twice.`);
    seen.add(rung);
    const integer = (name: string, required: boolean): number | null => {
      const value = attributes[name];
      if (value === undefined && !required) return null;
      const n = Number(value);
      if (!/^[0-9]{1,10}$/.test(value ?? '') || n < 1 || n > 1e9)
        throw new PlaylistError(`master.m3u8: ${name} of ${rung} must be a whole number of bits per second (1 to 10^9).`);
      return n;
    };
    const frameRateText = attributes['FRAME-RATE'];
    const frameRate = frameRateText === undefined ? null : Number(frameRateText);
    if (frameRate !== null && !(/^[0-9]{1,3}(\.[0-9]{1,3})?$/.test(frameRateText ?? '') && frameRate > 0 && frameRate <= 240)) {
      throw new PlaylistError(`master.m3u8: FRAME-RATE of ${rung} must be a number of frames per second, e.g. 30.000.`);
    }
    const audioGroup = attributes.AUDIO ?? null;
    if (audioGroup !== null && audioGroup !== audio?.groupId)
      throw new PlaylistError(`master.m3u8: ${rung} names AUDIO="${audioGroup}", which no EXT-X-MEDIA declares.`);
    return { rung, bandwidth: integer('BANDWIDTH', true)!, averageBandwidth: integer('AVERAGE-BANDWIDTH', false), frameRate, audioGroup };
  });
  return { variants, audio };
}

/** The rungs a master needs before the broadcast can go on air. */
export function rungsOf(master: EncoderMaster): string[] {
  return [...master.variants.map((v) => v.rung), ...(master.audio ? ['audio'] : [])];
}

/**
 * The viewers' master playlist, or null while some rung has no init segment yet (its codecs, read
 * from the init segment, go into CODECS).
 */
export function viewerMaster(master: EncoderMaster, projection: Projection, codecsByRung: ReadonlyMap<string, string>): string | null {
  if (rungsOf(master).some((rung) => !codecsByRung.has(rung))) return null;
  const lines = ['#EXT-X-INDEPENDENT-SEGMENTS', `#EXT-X-SESSION-DATA:DATA-ID="${PROJECTION_SESSION_DATA_ID}",VALUE="${projection}"`];
  const { audio } = master;
  if (audio) {
    const channels = audio.channels === null ? '' : `,CHANNELS="${audio.channels}"`;
    lines.push(`#EXT-X-MEDIA:TYPE=AUDIO,GROUP-ID="${audio.groupId}",NAME="${audio.name}",DEFAULT=YES,AUTOSELECT=YES${channels},URI="audio/${RUNG_PLAYLIST}"`);
  }
  const layout = videoLayoutOf(projection);
  for (const v of [...master.variants].sort((a, b) => b.bandwidth - a.bandwidth)) {
    const codecs = [codecsByRung.get(v.rung)!, ...(v.audioGroup ? [codecsByRung.get('audio')!] : [])].join(',');
    const attrs = [
      `BANDWIDTH=${v.bandwidth}`,
      ...(v.averageBandwidth === null ? [] : [`AVERAGE-BANDWIDTH=${v.averageBandwidth}`]),
      `RESOLUTION=${v.rung}`,
      ...(v.frameRate === null ? [] : [`FRAME-RATE=${v.frameRate.toFixed(3)}`]),
      `CODECS="${codecs}"`,
      ...(v.audioGroup ? [`AUDIO="${v.audioGroup}"`] : []),
      `REQ-VIDEO-LAYOUT="${layout}"`,
    ];
    lines.push(`#EXT-X-STREAM-INF:${attrs.join(',')}`, `${v.rung}/${RUNG_PLAYLIST}`);
  }
  return `${['#EXTM3U', `#EXT-X-VERSION:${requiredHlsVersion(lines)}`, ...lines].join('\n')}\n`;
}
