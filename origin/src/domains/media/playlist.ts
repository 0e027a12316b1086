import path from 'node:path';
import { setImmediate as yieldToEventLoop } from 'node:timers/promises';
import { normaliseMediaPath, UnsafePathError } from '../../core/safe-path.ts';
import { PUBLISH_LIMITS } from './limits.ts';

/**
 * Strict reading of uploaded HLS playlists (RFC 8216bis): every attribute the origin stores or a
 * player relies on is checked for form and range, and every URI anywhere (variants, renditions,
 * I-frame streams, keys, init segments, segments, session data) must be a relative path inside the
 * ladder. A PlaylistError's message names the tag and attribute, for a 400 the creator can act on.
 */

export interface VariantStream {
  /** The URI as written in the master. */
  uri: string;
  /** The URI resolved against the master, relative to the ladder's root. */
  playlistPath: string;
  bandwidth: number;
  averageBandwidth: number | null;
  width: number | null;
  height: number | null;
  codecs: string | null;
  frameRate: number | null;
}

export interface MasterLadder {
  variants: VariantStream[];
  /** Media playlists the master names (variants, #EXT-X-MEDIA, I-frame streams), resolved and deduplicated. */
  playlists: string[];
  /** Other files the master names (session data, session keys), resolved. */
  files: string[];
}

export interface MediaPlaylistFiles {
  /** Every file the playlist names (init, keys, segments), resolved and deduplicated. */
  files: Set<string>;
  /** Segment lines, repeats included. */
  segments: number;
}

export class PlaylistError extends Error {
  override name = 'PlaylistError';
}

/** Largest values a player could use; also keeps them inside the database's 32-bit integer columns. */
const MAX_BANDWIDTH = 2_147_483_647;
const MAX_DIMENSION = 16_384;
const MAX_FRAME_RATE = 1000;
const MAX_SEGMENT_SECONDS = 3600;
const MAX_CODECS_LENGTH = 256;
/** Lines handled between two yields to the event loop while reading a media playlist. */
const LINES_PER_SLICE = 4096;

// Control characters are what this must find (NUL in a CODECS string reaches PostgreSQL as an error).
// eslint-disable-next-line no-control-regex
const CONTROL_CHARACTER = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F]/;
const DECIMAL_INTEGER = /^\d{1,10}$/;
const DECIMAL_FLOAT = /^\d{1,10}(\.\d{1,12})?$/;
const CODECS = /^[A-Za-z0-9.+\-_, ]+$/;
const ATTRIBUTE_SOURCE = String.raw`([A-Z0-9-]+)=(?:"([^"\r\n]*)"|([^",\s]*))(?:,|$)`;

interface AttributeValue {
  value: string;
  quoted: boolean;
}
type Attributes = Map<string, AttributeValue>;

const shown = (value: string) => (value.length > 40 ? `${value.slice(0, 40)}…` : value);

/** Parses an attribute list (RFC 8216bis §4.2) strictly: malformed lists and repeated names are refused. */
export function parseAttributeList(list: string, tag: string): Attributes {
  const out: Attributes = new Map();
  const ATTRIBUTE = new RegExp(ATTRIBUTE_SOURCE, 'y');
  while (ATTRIBUTE.lastIndex < list.length) {
    const at = ATTRIBUTE.lastIndex;
    const match = ATTRIBUTE.exec(list);
    if (!match) throw new PlaylistError(`${tag}: the attribute list is malformed at "${shown(list.slice(at))}". Write NAME=value pairs separated by commas.`);
    const [, name, quotedValue, plainValue] = match;
    if (out.has(name!)) throw new PlaylistError(`${tag}: the attribute ${name} appears twice.`);
    out.set(name!, quotedValue !== undefined ? { value: quotedValue, quoted: true } : { value: plainValue!, quoted: false });
  }
  return out;
}

function integerAttribute(attrs: Attributes, tag: string, name: string, options: { required: boolean; min: number; max: number }): number | null {
  const attr = attrs.get(name);
  if (!attr) {
    if (options.required) throw new PlaylistError(`${tag}: the attribute ${name} is required.`);
    return null;
  }
  const value = Number(attr.value);
  if (attr.quoted || !DECIMAL_INTEGER.test(attr.value) || value < options.min || value > options.max) {
    throw new PlaylistError(`${tag}: ${name}=${shown(attr.value)} is not valid; it must be a whole number from ${options.min} to ${options.max}.`);
  }
  return value;
}

function frameRateAttribute(attrs: Attributes, tag: string): number | null {
  const attr = attrs.get('FRAME-RATE');
  if (!attr) return null;
  const value = Number(attr.value);
  if (attr.quoted || !DECIMAL_FLOAT.test(attr.value) || !Number.isFinite(value) || value <= 0 || value > MAX_FRAME_RATE) {
    throw new PlaylistError(
      `${tag}: FRAME-RATE=${shown(attr.value)} is not valid; it must be frames per second above 0 and at most ${MAX_FRAME_RATE}, like 30.000.`,
    );
  }
  return value;
}

function resolutionAttribute(attrs: Attributes, tag: string): { width: number; height: number } | null {
  const attr = attrs.get('RESOLUTION');
  if (!attr) return null;
  const match = /^(\d{1,5})x(\d{1,5})$/.exec(attr.value);
  const width = Number(match?.[1]);
  const height = Number(match?.[2]);
  if (attr.quoted || !match || width < 1 || height < 1 || width > MAX_DIMENSION || height > MAX_DIMENSION) {
    throw new PlaylistError(
      `${tag}: RESOLUTION=${shown(attr.value)} is not valid; it must be WIDTHxHEIGHT in pixels, each 1 to ${MAX_DIMENSION}, like 3840x1920.`,
    );
  }
  return { width, height };
}

function codecsAttribute(attrs: Attributes, tag: string): string | null {
  const attr = attrs.get('CODECS');
  if (!attr) return null;
  if (!attr.quoted || attr.value.length === 0 || attr.value.length > MAX_CODECS_LENGTH || !CODECS.test(attr.value)) {
    throw new PlaylistError(`${tag}: CODECS=${shown(attr.value)} is not valid; it must be a quoted list of codec names like "avc1.640028,mp4a.40.2".`);
  }
  return attr.value;
}

function uriAttribute(attrs: Attributes, tag: string, name = 'URI'): string | null {
  const attr = attrs.get(name);
  if (!attr) return null;
  if (!attr.quoted) throw new PlaylistError(`${tag}: ${name} must be a quoted string.`);
  return attr.value;
}

/**
 * Resolves a URI found in a playlist at `playlistPath` to a path relative to the ladder's root,
 * refusing absolute URIs (any scheme, `//host`, `/path`), anything outside the ladder, variable
 * substitution, and names that could not have been uploaded.
 */
export function resolvePlaylistUri(playlistPath: string, uri: string): string {
  if (/^[a-z][a-z0-9+.-]*:/i.test(uri) || uri.startsWith('/') || uri.startsWith('\\')) {
    throw new PlaylistError(`The playlist refers to ${shown(uri)}; only relative URIs inside the ladder are allowed.`);
  }
  if (uri.includes('{$')) throw new PlaylistError(`The playlist refers to ${shown(uri)}; variable substitution is not supported.`);
  const withoutQuery = uri.split(/[?#]/, 1)[0]!;
  const joined = path.posix.normalize(path.posix.join(path.posix.dirname(playlistPath), withoutQuery));
  if (joined.startsWith('../') || joined === '..') {
    throw new PlaylistError(`The playlist refers to ${shown(uri)}, outside the ladder.`);
  }
  try {
    return normaliseMediaPath(joined);
  } catch (error) {
    if (error instanceof UnsafePathError) throw new PlaylistError(`The playlist refers to ${shown(uri)}, which is not a valid media path: ${error.message}`);
    throw error;
  }
}

function splitTag(line: string): { tag: string; value: string } {
  const colon = line.indexOf(':');
  return colon < 0 ? { tag: line, value: '' } : { tag: line.slice(0, colon), value: line.slice(colon + 1) };
}

/** URI-valued attributes of tags this reader does not otherwise interpret (e.g. #EXT-X-CONTENT-STEERING SERVER-URI). */
function otherUris(tag: string, value: string): string[] {
  if (!/URI=/.test(value)) return [];
  const attrs = parseAttributeList(value, tag);
  return [...attrs.entries()].filter(([name]) => name === 'URI' || name.endsWith('-URI')).map(([name]) => uriAttribute(attrs, tag, name)!);
}

function checkText(text: string): string[] {
  if (CONTROL_CHARACTER.test(text)) throw new PlaylistError('The playlist contains control characters (such as NUL); it must be UTF-8 text.');
  const lines = text.split(/\r?\n/);
  if (lines[0]?.trim() !== '#EXTM3U') throw new PlaylistError('A playlist must start with #EXTM3U.');
  return lines;
}

const MEDIA_TYPES = new Set(['AUDIO', 'VIDEO', 'SUBTITLES', 'CLOSED-CAPTIONS']);
const KEY_METHODS = new Set(['NONE', 'AES-128', 'SAMPLE-AES', 'SAMPLE-AES-CTR']);
const MEDIA_PLAYLIST_TAGS = new Set(['#EXTINF', '#EXT-X-TARGETDURATION', '#EXT-X-ENDLIST', '#EXT-X-MEDIA-SEQUENCE', '#EXT-X-MAP']);

/**
 * Validates an uploaded master playlist at `masterPath` and returns its variants, the media
 * playlists it names and the other files it names. At most PUBLISH_LIMITS.variants variants,
 * .renditions #EXT-X-MEDIA and .iFrameStreams I-frame streams.
 */
export function readMasterPlaylist(text: string, masterPath = 'master.m3u8'): MasterLadder {
  const lines = checkText(text);
  const variants: VariantStream[] = [];
  const playlists = new Set<string>();
  const files = new Set<string>();
  let renditions = 0;
  let iFrameStreams = 0;
  let pending: { attrs: Attributes; line: number } | null = null;
  for (const [index, raw] of lines.entries()) {
    const line = raw.trim();
    if (!line) continue;
    if (!line.startsWith('#')) {
      if (!pending) throw new PlaylistError(`Line ${index + 1} (${shown(line)}) is a URI without #EXT-X-STREAM-INF before it.`);
      const tag = '#EXT-X-STREAM-INF';
      const resolution = resolutionAttribute(pending.attrs, tag);
      const playlistPath = resolvePlaylistUri(masterPath, line);
      variants.push({
        uri: line,
        playlistPath,
        bandwidth: integerAttribute(pending.attrs, tag, 'BANDWIDTH', { required: true, min: 1, max: MAX_BANDWIDTH })!,
        averageBandwidth: integerAttribute(pending.attrs, tag, 'AVERAGE-BANDWIDTH', { required: false, min: 1, max: MAX_BANDWIDTH }),
        width: resolution?.width ?? null,
        height: resolution?.height ?? null,
        codecs: codecsAttribute(pending.attrs, tag),
        frameRate: frameRateAttribute(pending.attrs, tag),
      });
      playlists.add(playlistPath);
      pending = null;
      continue;
    }
    if (!line.startsWith('#EXT')) continue; // a comment
    const { tag, value } = splitTag(line);
    if (pending) throw new PlaylistError(`#EXT-X-STREAM-INF on line ${pending.line} must be followed by the variant's URI, not ${tag}.`);
    switch (tag) {
      case '#EXT-X-STREAM-INF': {
        if (variants.length >= PUBLISH_LIMITS.variants) {
          throw new PlaylistError(
            `The master playlist has more than ${PUBLISH_LIMITS.variants} variant streams (#EXT-X-STREAM-INF); publish at most ${PUBLISH_LIMITS.variants}.`,
          );
        }
        pending = { attrs: parseAttributeList(value, tag), line: index + 1 };
        // Checked here as well, so the error names the line's attribute even before its URI.
        integerAttribute(pending.attrs, tag, 'BANDWIDTH', { required: true, min: 1, max: MAX_BANDWIDTH });
        integerAttribute(pending.attrs, tag, 'AVERAGE-BANDWIDTH', { required: false, min: 1, max: MAX_BANDWIDTH });
        frameRateAttribute(pending.attrs, tag);
        resolutionAttribute(pending.attrs, tag);
        codecsAttribute(pending.attrs, tag);
        break;
      }
      case '#EXT-X-I-FRAME-STREAM-INF': {
        iFrameStreams += 1;
        if (iFrameStreams > PUBLISH_LIMITS.iFrameStreams)
          throw new PlaylistError(`The master playlist has more than ${PUBLISH_LIMITS.iFrameStreams} I-frame streams.`);
        const attrs = parseAttributeList(value, tag);
        integerAttribute(attrs, tag, 'BANDWIDTH', { required: true, min: 1, max: MAX_BANDWIDTH });
        integerAttribute(attrs, tag, 'AVERAGE-BANDWIDTH', { required: false, min: 1, max: MAX_BANDWIDTH });
        resolutionAttribute(attrs, tag);
        codecsAttribute(attrs, tag);
        const uri = uriAttribute(attrs, tag);
        if (!uri) throw new PlaylistError(`${tag}: the attribute URI is required.`);
        playlists.add(resolvePlaylistUri(masterPath, uri));
        break;
      }
      case '#EXT-X-MEDIA': {
        renditions += 1;
        if (renditions > PUBLISH_LIMITS.renditions)
          throw new PlaylistError(`The master playlist has more than ${PUBLISH_LIMITS.renditions} renditions (#EXT-X-MEDIA).`);
        const attrs = parseAttributeList(value, tag);
        const type = attrs.get('TYPE')?.value ?? '';
        if (!MEDIA_TYPES.has(type)) throw new PlaylistError(`${tag}: TYPE=${shown(type)} is not valid; it must be AUDIO, VIDEO, SUBTITLES or CLOSED-CAPTIONS.`);
        const uri = uriAttribute(attrs, tag);
        if (uri !== null) {
          if (type === 'CLOSED-CAPTIONS') throw new PlaylistError(`${tag}: a CLOSED-CAPTIONS rendition has no URI.`);
          playlists.add(resolvePlaylistUri(masterPath, uri));
        }
        break;
      }
      case '#EXT-X-SESSION-KEY': {
        const attrs = parseAttributeList(value, tag);
        const method = attrs.get('METHOD')?.value ?? '';
        if (!KEY_METHODS.has(method) || method === 'NONE')
          throw new PlaylistError(`${tag}: METHOD=${shown(method)} is not valid; it must be AES-128, SAMPLE-AES or SAMPLE-AES-CTR.`);
        const uri = uriAttribute(attrs, tag);
        if (!uri) throw new PlaylistError(`${tag}: the attribute URI is required.`);
        files.add(resolvePlaylistUri(masterPath, uri));
        break;
      }
      case '#EXT-X-DEFINE':
        throw new PlaylistError('#EXT-X-DEFINE: variable substitution is not supported; write the URIs out.');
      default:
        if (MEDIA_PLAYLIST_TAGS.has(tag)) {
          throw new PlaylistError(`${tag} belongs in a media playlist: finalize with the master playlist (the one with #EXT-X-STREAM-INF).`);
        }
        for (const uri of otherUris(tag, value)) files.add(resolvePlaylistUri(masterPath, uri));
    }
  }
  if (pending) throw new PlaylistError(`#EXT-X-STREAM-INF on line ${pending.line} must be followed by the variant's URI.`);
  if (variants.length === 0) throw new PlaylistError('The master playlist lists no variant streams (#EXT-X-STREAM-INF).');
  return { variants, playlists: [...playlists], files: [...files] };
}

/**
 * Validates a media playlist at `playlistPath` and returns the files it names. Yields to the event
 * loop every few thousand lines, so reading the largest allowed playlists never holds up other
 * requests for long. At most PUBLISH_LIMITS.segmentsPerPlaylist segment lines; must be finished
 * (#EXT-X-ENDLIST).
 */
export async function readMediaPlaylist(text: string, playlistPath: string): Promise<MediaPlaylistFiles> {
  const lines = checkText(text);
  const files = new Set<string>();
  // Repeated URIs (every segment line naming one file) are resolved once.
  const resolved = new Map<string, string>();
  const resolve = (uri: string) => {
    let file = resolved.get(uri);
    if (file === undefined) {
      file = resolvePlaylistUri(playlistPath, uri);
      resolved.set(uri, file);
    }
    return file;
  };
  let segments = 0;
  let ended = false;
  for (let index = 0; index < lines.length; index += 1) {
    if (index > 0 && index % LINES_PER_SLICE === 0) await yieldToEventLoop();
    const line = lines[index]!.trim();
    if (!line) continue;
    if (!line.startsWith('#')) {
      segments += 1;
      if (segments > PUBLISH_LIMITS.segmentsPerPlaylist) {
        throw new PlaylistError(
          `It has more than ${PUBLISH_LIMITS.segmentsPerPlaylist.toLocaleString('en')} segments; split the video or use longer segments.`,
        );
      }
      files.add(resolve(line));
      continue;
    }
    if (!line.startsWith('#EXT')) continue;
    const { tag, value } = splitTag(line);
    switch (tag) {
      case '#EXTINF': {
        const duration = value.split(',', 1)[0]!;
        const seconds = Number(duration);
        if (!DECIMAL_FLOAT.test(duration) || !Number.isFinite(seconds) || seconds > MAX_SEGMENT_SECONDS) {
          throw new PlaylistError(
            `#EXTINF on line ${index + 1}: the duration ${shown(duration)} is not valid; it must be seconds from 0 to ${MAX_SEGMENT_SECONDS}, like 2.000.`,
          );
        }
        break;
      }
      case '#EXT-X-TARGETDURATION':
        if (!DECIMAL_INTEGER.test(value) || Number(value) < 1 || Number(value) > MAX_SEGMENT_SECONDS) {
          throw new PlaylistError(`#EXT-X-TARGETDURATION:${shown(value)} is not valid; it must be whole seconds from 1 to ${MAX_SEGMENT_SECONDS}.`);
        }
        break;
      case '#EXT-X-BYTERANGE':
        if (!/^\d{1,15}(@\d{1,15})?$/.test(value))
          throw new PlaylistError(`#EXT-X-BYTERANGE:${shown(value)} is not valid; it must be LENGTH[@OFFSET] in bytes.`);
        break;
      case '#EXT-X-MAP': {
        const attrs = parseAttributeList(value, tag);
        const uri = uriAttribute(attrs, tag);
        if (!uri) throw new PlaylistError(`${tag}: the attribute URI is required.`);
        files.add(resolve(uri));
        break;
      }
      case '#EXT-X-KEY': {
        const attrs = parseAttributeList(value, tag);
        const method = attrs.get('METHOD')?.value ?? '';
        if (!KEY_METHODS.has(method))
          throw new PlaylistError(`${tag}: METHOD=${shown(method)} is not valid; it must be NONE, AES-128, SAMPLE-AES or SAMPLE-AES-CTR.`);
        const uri = uriAttribute(attrs, tag);
        if (method !== 'NONE' && !uri) throw new PlaylistError(`${tag}: the attribute URI is required with METHOD=${method}.`);
        if (uri) files.add(resolve(uri));
        break;
      }
      case '#EXT-X-ENDLIST':
        ended = true;
        break;
      case '#EXT-X-STREAM-INF':
      case '#EXT-X-I-FRAME-STREAM-INF':
      case '#EXT-X-MEDIA':
        throw new PlaylistError(`${tag} belongs in the master playlist; this must be a media playlist.`);
      case '#EXT-X-DEFINE':
        throw new PlaylistError('#EXT-X-DEFINE: variable substitution is not supported; write the URIs out.');
      default:
        for (const uri of otherUris(tag, value)) files.add(resolve(uri));
    }
  }
  if (!ended) throw new PlaylistError('It has no #EXT-X-ENDLIST: upload a finished (VOD) playlist.');
  if (segments === 0) throw new PlaylistError('It lists no segments.');
  return { files, segments };
}
