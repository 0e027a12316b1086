import path from 'node:path';
import { parseMasterPlaylist, parseMediaPlaylist } from '@spherecast/shared/media';

export interface VariantStream {
  uri: string;
  bandwidth: number;
  averageBandwidth: number | null;
  width: number | null;
  height: number | null;
  codecs: string | null;
  frameRate: number | null;
}

export class PlaylistError extends Error {
  override name = 'PlaylistError';
}

function requireHeader(text: string): void {
  if (!text.trimStart().startsWith('#EXTM3U')) throw new PlaylistError('A playlist must start with #EXTM3U.');
}

/**
 * Validates an uploaded master playlist (parsed by the media engine's reader) and returns its
 * variant streams and the playlists of its alternative renditions (`#EXT-X-MEDIA` URIs, e.g. audio).
 */
export function readMasterPlaylist(text: string): { variants: VariantStream[]; renditionPlaylists: string[] } {
  requireHeader(text);
  const parsed = parseMasterPlaylist(text);
  if (parsed.variants.length === 0) throw new PlaylistError('The master playlist lists no variant streams (#EXT-X-STREAM-INF).');
  const variants = parsed.variants.map(({ uri, attributes }) => {
    const bandwidth = Number(attributes.BANDWIDTH);
    if (!Number.isInteger(bandwidth) || bandwidth <= 0) throw new PlaylistError(`The variant ${uri} has no valid BANDWIDTH.`);
    const resolution = /^(\d+)x(\d+)$/.exec(attributes.RESOLUTION ?? '');
    return {
      uri,
      bandwidth,
      averageBandwidth: attributes['AVERAGE-BANDWIDTH'] ? Number(attributes['AVERAGE-BANDWIDTH']) : null,
      width: resolution ? Number(resolution[1]) : null,
      height: resolution ? Number(resolution[2]) : null,
      codecs: attributes.CODECS ?? null,
      frameRate: attributes['FRAME-RATE'] ? Number(attributes['FRAME-RATE']) : null,
    };
  });
  const renditionPlaylists = parsed.media.map((media) => media.URI).filter((uri): uri is string => Boolean(uri));
  return { variants, renditionPlaylists };
}

/** The files a media playlist refers to (init segment and media segments), and whether it is finished. */
export function mediaPlaylistFiles(text: string): { files: string[]; ended: boolean } {
  requireHeader(text);
  const parsed = parseMediaPlaylist(text);
  const files = parsed.segments.map((segment) => segment.uri);
  if (parsed.initUri) files.unshift(parsed.initUri);
  return { files, ended: /^#EXT-X-ENDLIST\s*$/m.test(text) };
}

/** Resolves a URI found in a playlist at `playlistPath` to a path relative to the ladder's root. */
export function resolvePlaylistUri(playlistPath: string, uri: string): string {
  if (/^[a-z][a-z0-9+.-]*:/i.test(uri) || uri.startsWith('/')) {
    throw new PlaylistError(`The playlist refers to ${uri}; only relative URIs inside the ladder are allowed.`);
  }
  const joined = path.posix.normalize(path.posix.join(path.posix.dirname(playlistPath), uri.split('?')[0]!));
  if (joined.startsWith('../') || joined === '..') {
    throw new PlaylistError(`The playlist refers to ${uri}, outside the ladder.`);
  }
  return joined;
}
