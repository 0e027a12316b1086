import path from 'node:path';

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

/** Parses an HLS attribute list (`KEY=value,KEY="quoted, value"`). */
export function parseAttributes(list: string): Map<string, string> {
  const attributes = new Map<string, string>();
  const pattern = /([A-Z0-9-]+)=("[^"]*"|[^,]*)/g;
  for (const match of list.matchAll(pattern)) {
    const value = match[2] ?? '';
    attributes.set(match[1]!, value.startsWith('"') ? value.slice(1, -1) : value);
  }
  return attributes;
}

function lines(text: string): string[] {
  const all = text.split(/\r?\n/).map((line) => line.trim());
  if (all[0] !== '#EXTM3U') throw new PlaylistError('A playlist must start with #EXTM3U.');
  return all.filter((line) => line.length > 0);
}

/** Reads the variant streams of a master playlist. */
export function parseMasterPlaylist(text: string): VariantStream[] {
  const all = lines(text);
  const variants: VariantStream[] = [];
  for (let i = 0; i < all.length; i += 1) {
    const line = all[i]!;
    if (!line.startsWith('#EXT-X-STREAM-INF:')) continue;
    const attributes = parseAttributes(line.slice('#EXT-X-STREAM-INF:'.length));
    const uri = all[i + 1];
    if (!uri || uri.startsWith('#')) throw new PlaylistError('Each #EXT-X-STREAM-INF must be followed by a playlist URI.');
    const bandwidth = Number(attributes.get('BANDWIDTH'));
    if (!Number.isInteger(bandwidth) || bandwidth <= 0) {
      throw new PlaylistError(`The variant ${uri} has no valid BANDWIDTH.`);
    }
    const resolution = /^(\d+)x(\d+)$/.exec(attributes.get('RESOLUTION') ?? '');
    const average = attributes.get('AVERAGE-BANDWIDTH');
    const frameRate = attributes.get('FRAME-RATE');
    variants.push({
      uri,
      bandwidth,
      averageBandwidth: average ? Number(average) : null,
      width: resolution ? Number(resolution[1]) : null,
      height: resolution ? Number(resolution[2]) : null,
      codecs: attributes.get('CODECS') ?? null,
      frameRate: frameRate ? Number(frameRate) : null,
    });
  }
  if (variants.length === 0) throw new PlaylistError('The master playlist lists no variant streams (#EXT-X-STREAM-INF).');
  return variants;
}

/** The files a media playlist refers to: its init segment(s) and media segments. */
export function mediaPlaylistFiles(text: string): { files: string[]; ended: boolean } {
  const files: string[] = [];
  let ended = false;
  for (const line of lines(text)) {
    if (line.startsWith('#EXT-X-MAP:')) {
      const uri = parseAttributes(line.slice('#EXT-X-MAP:'.length)).get('URI');
      if (uri) files.push(uri);
    } else if (line === '#EXT-X-ENDLIST') {
      ended = true;
    } else if (!line.startsWith('#')) {
      files.push(line);
    }
  }
  return { files, ended };
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
