/**
 * Reading the media playlists ffmpeg's HLS muxer writes, and writing our own master playlist
 * (RFC 8216bis §4.4.6): ffmpeg's master cannot carry measured peak bandwidth, real codec strings,
 * the video layout or the projection.
 */
import type { Projection } from '../projection.ts';

export interface MediaPlaylistSegment {
  uri: string;
  durationSeconds: number;
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
  for (const line of lines) {
    if (!line) continue;
    if (line.startsWith('#EXT-X-MAP:')) initUri = attribute(line, 'URI');
    else if (line.startsWith('#EXT-X-TARGETDURATION:')) targetDuration = Number(line.slice('#EXT-X-TARGETDURATION:'.length));
    else if (line.startsWith('#EXTINF:')) pending = Number.parseFloat(line.slice('#EXTINF:'.length));
    else if (!line.startsWith('#') && pending !== null) {
      segments.push({ uri: line, durationSeconds: pending });
      pending = null;
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

export function writeMasterPlaylist(options: { projection: Projection; variants: readonly MasterVariant[]; audio: MasterAudio | null }): string {
  const lines = ['#EXTM3U', '#EXT-X-VERSION:7', '#EXT-X-INDEPENDENT-SEGMENTS'];
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
  return `${lines.join('\n')}\n`;
}

export interface MasterPlaylistEntry {
  uri: string;
  attributes: Record<string, string>;
}

/** Parses a master playlist's variants, media and session data (for reading our own output back). */
export function parseMasterPlaylist(text: string): { variants: MasterPlaylistEntry[]; media: Record<string, string>[]; sessionData: Record<string, string>[] } {
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
  for (const line of lines) {
    if (line.startsWith('#EXT-X-STREAM-INF:')) pending = parseAttributes(line.slice('#EXT-X-STREAM-INF:'.length));
    else if (line.startsWith('#EXT-X-MEDIA:')) media.push(parseAttributes(line.slice('#EXT-X-MEDIA:'.length)));
    else if (line.startsWith('#EXT-X-SESSION-DATA:')) sessionData.push(parseAttributes(line.slice('#EXT-X-SESSION-DATA:'.length)));
    else if (line && !line.startsWith('#') && pending) {
      variants.push({ uri: line, attributes: pending });
      pending = null;
    }
  }
  return { variants, media, sessionData };
}
