/**
 * Reading the media playlists ffmpeg's HLS muxer writes, and writing our own master playlist
 * (RFC 8216bis §4.4.6): ffmpeg's master cannot carry measured peak bandwidth, real codec strings,
 * the video layout or the projection.
 */
import type { Projection } from '../projection.ts';

export interface MediaPlaylistSegment {
  uri: string;
  durationSeconds: number;
  /** EXT-X-PROGRAM-DATE-TIME of the segment (as written), when the playlist has one. */
  programDateTime?: string;
}

export interface MediaPlaylist {
  /** URI of the init segment (EXT-X-MAP), relative to the playlist. */
  initUri: string | null;
  segments: MediaPlaylistSegment[];
  targetDuration: number | null;
}

function attribute(line: string, name: string): string | null {
  const match = new RegExp(`(?:^|[:,])${name}=("([^"]*)"|[^,]*)`).exec(line);
  if (!match) return null;
  return match[2] ?? match[1] ?? null;
}

export function parseMediaPlaylist(text: string): MediaPlaylist {
  const lines = text.split(/\r?\n/).map((l) => l.trim());
  const segments: MediaPlaylistSegment[] = [];
  let initUri: string | null = null;
  let targetDuration: number | null = null;
  let pending: number | null = null;
  let programDateTime: string | undefined;
  for (const line of lines) {
    if (!line) continue;
    if (line.startsWith('#EXT-X-MAP:')) initUri = attribute(line, 'URI');
    else if (line.startsWith('#EXT-X-PROGRAM-DATE-TIME:')) programDateTime = line.slice('#EXT-X-PROGRAM-DATE-TIME:'.length);
    else if (line.startsWith('#EXT-X-TARGETDURATION:')) targetDuration = Number(line.slice('#EXT-X-TARGETDURATION:'.length));
    else if (line.startsWith('#EXTINF:')) pending = Number.parseFloat(line.slice('#EXTINF:'.length));
    else if (!line.startsWith('#') && pending !== null) {
      segments.push({ uri: line, durationSeconds: pending, ...(programDateTime === undefined ? {} : { programDateTime }) });
      pending = null;
      programDateTime = undefined;
    }
  }
  return { initUri, segments, targetDuration };
}

/** The `REQ-VIDEO-LAYOUT` value for a projection: channel layout and projection specifiers. */
export function videoLayoutOf(projection: Projection): string {
  return `${projection === 'equirectangular-mono' ? 'CH-MONO' : 'CH-STEREO'}/PROJ-EQUI`;
}

/** DATA-ID of the EXT-X-SESSION-DATA that names the projection. */
export const PROJECTION_SESSION_DATA_ID = 'com.spherecast.projection';

export interface MasterVariant {
  uri: string;
  bandwidth: number;
  averageBandwidth: number;
  width: number;
  height: number;
  frameRate: number;
  codecs: string;
}

export interface MasterAudio {
  uri: string;
  groupId: string;
  name: string;
  channels: number;
}

/**
 * The lowest EXT-X-VERSION a playlist may declare for the tags and attributes it uses
 * (draft-pantos-hls-rfc8216bis §8, Protocol Version Compatibility). `lines` are the playlist's
 * lines without any EXT-X-VERSION tag.
 */
export function requiredHlsVersion(lines: readonly string[]): number {
  let version = 1;
  const need = (v: number) => (version = Math.max(version, v));
  const iFramesOnly = lines.some((l) => l.startsWith('#EXT-X-I-FRAMES-ONLY'));
  for (const line of lines) {
    if (!line.startsWith('#EXT')) continue;
    const colon = line.indexOf(':');
    const tag = colon < 0 ? line : line.slice(0, colon);
    const attrs = colon < 0 ? '' : line.slice(colon + 1);
    // Attribute names only: quoted values may hold anything, commas and '=' included.
    const names = attrs.replace(/"[^"]*"/g, '""');
    const has = (name: string) => new RegExp(`(?:^|,)${name}=`).test(names);
    // Any attribute whose name starts with REQ- (e.g. REQ-VIDEO-LAYOUT): version 12.
    if (/(?:^|,)REQ-[A-Z0-9-]+=/.test(names)) need(12);
    switch (tag) {
      case '#EXT-X-KEY':
      case '#EXT-X-SESSION-KEY':
        if (has('IV')) need(2);
        if (/METHOD=SAMPLE-AES\b/.test(attrs) || has('KEYFORMAT') || has('KEYFORMATVERSIONS')) need(5);
        break;
      case '#EXTINF':
        if (/^\d*\.\d/.test(attrs)) need(3);
        break;
      case '#EXT-X-BYTERANGE':
      case '#EXT-X-I-FRAMES-ONLY':
        need(4);
        break;
      case '#EXT-X-MAP':
        need(iFramesOnly ? 5 : 6);
        break;
      case '#EXT-X-MEDIA':
        if (/INSTREAM-ID="SERVICE/.test(attrs)) need(7);
        break;
      case '#EXT-X-DEFINE':
        need(has('QUERYPARAM') ? 11 : 8);
        break;
      case '#EXT-X-SKIP':
        need(has('RECENTLY-REMOVED-DATERANGES') ? 10 : 9);
        break;
    }
    // Variable substitution anywhere in the playlist: version 8.
    if (/\{\$[A-Za-z0-9_-]+\}/.test(line)) need(8);
  }
  return version;
}

export function writeMasterPlaylist(options: { projection: Projection; variants: readonly MasterVariant[]; audio: MasterAudio | null }): string {
  const lines = ['#EXT-X-INDEPENDENT-SEGMENTS'];
  lines.push(`#EXT-X-SESSION-DATA:DATA-ID="${PROJECTION_SESSION_DATA_ID}",VALUE="${options.projection}"`);
  const { audio } = options;
  if (audio) {
    lines.push(
      `#EXT-X-MEDIA:TYPE=AUDIO,GROUP-ID="${audio.groupId}",NAME="${audio.name}",DEFAULT=YES,AUTOSELECT=YES,CHANNELS="${audio.channels}",URI="${audio.uri}"`,
    );
  }
  const layout = videoLayoutOf(options.projection);
  // Highest first: players that take the first variant start at the best quality they can sustain.
  for (const v of [...options.variants].sort((a, b) => b.bandwidth - a.bandwidth)) {
    const attrs = [
      `BANDWIDTH=${Math.round(v.bandwidth)}`,
      `AVERAGE-BANDWIDTH=${Math.round(v.averageBandwidth)}`,
      `RESOLUTION=${v.width}x${v.height}`,
      `FRAME-RATE=${v.frameRate.toFixed(3)}`,
      `CODECS="${v.codecs}"`,
      ...(audio ? [`AUDIO="${audio.groupId}"`] : []),
      `REQ-VIDEO-LAYOUT="${layout}"`,
    ];
    lines.push(`#EXT-X-STREAM-INF:${attrs.join(',')}`, v.uri);
  }
  // Declare what the features need (12 with REQ-VIDEO-LAYOUT), not a constant that can fall behind.
  return `${['#EXTM3U', `#EXT-X-VERSION:${requiredHlsVersion(lines)}`, ...lines].join('\n')}\n`;
}

/**
 * A live media playlist (RFC 8216bis §6.2.1): the sliding `segments` window, numbered from
 * `mediaSequence`, each with its EXT-X-PROGRAM-DATE-TIME (normalised to UTC `Z`), no EXT-X-ENDLIST.
 */
export function writeLiveMediaPlaylist(options: { initUri: string; mediaSequence: number; segments: readonly MediaPlaylistSegment[] }): string {
  const target = Math.max(1, ...options.segments.map((s) => Math.round(s.durationSeconds)));
  const lines = [
    `#EXT-X-TARGETDURATION:${target}`,
    `#EXT-X-MEDIA-SEQUENCE:${options.mediaSequence}`,
    '#EXT-X-INDEPENDENT-SEGMENTS',
    `#EXT-X-MAP:URI="${options.initUri}"`,
  ];
  for (const segment of options.segments) {
    const time = segment.programDateTime ? new Date(segment.programDateTime) : null;
    if (time && !Number.isNaN(time.getTime())) lines.push(`#EXT-X-PROGRAM-DATE-TIME:${time.toISOString()}`);
    lines.push(`#EXTINF:${segment.durationSeconds.toFixed(6)},`, segment.uri);
  }
  return `${['#EXTM3U', `#EXT-X-VERSION:${requiredHlsVersion(lines)}`, ...lines].join('\n')}\n`;
}

export interface MasterPlaylistEntry {
  uri: string;
  attributes: Record<string, string>;
}

/** Parses a master playlist's variants, media and session data (for reading our own output back). */
export function parseMasterPlaylist(text: string): {
  /** EXT-X-VERSION, or null when the playlist declares none (version 1). */
  version: number | null;
  variants: MasterPlaylistEntry[];
  media: Record<string, string>[];
  sessionData: Record<string, string>[];
} {
  const parseAttributes = (list: string): Record<string, string> => {
    const out: Record<string, string> = {};
    const re = /([A-Z0-9-]+)=("([^"]*)"|[^,]*)/g;
    for (let m = re.exec(list); m; m = re.exec(list)) out[m[1]!] = m[3] ?? m[2]!;
    return out;
  };
  const lines = text.split(/\r?\n/).map((l) => l.trim());
  const variants: MasterPlaylistEntry[] = [];
  const media: Record<string, string>[] = [];
  const sessionData: Record<string, string>[] = [];
  let pending: Record<string, string> | null = null;
  let version: number | null = null;
  for (const line of lines) {
    if (line.startsWith('#EXT-X-VERSION:')) version = Number.parseInt(line.slice('#EXT-X-VERSION:'.length), 10);
    else if (line.startsWith('#EXT-X-STREAM-INF:')) pending = parseAttributes(line.slice('#EXT-X-STREAM-INF:'.length));
    else if (line.startsWith('#EXT-X-MEDIA:')) media.push(parseAttributes(line.slice('#EXT-X-MEDIA:'.length)));
    else if (line.startsWith('#EXT-X-SESSION-DATA:')) sessionData.push(parseAttributes(line.slice('#EXT-X-SESSION-DATA:'.length)));
    else if (line && !line.startsWith('#') && pending) {
      variants.push({ uri: line, attributes: pending });
      pending = null;
    }
  }
  return { version: version !== null && Number.isInteger(version) ? version : null, variants, media, sessionData };
}
