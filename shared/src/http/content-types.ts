/**
 * Content types by lower-case file extension. Two tables, because where a file comes from decides what
 * it may be served as:
 *
 * - {@link MEDIA_CONTENT_TYPES}: what creators publish and the studio previews (HLS playlists and
 *   segments, video, audio, images, subtitles, the hash list). No HTML, script or SVG: a creator's upload
 *   is served from the origin's own domain, and a `.html` or `.svg` file served as such would run script there.
 *   Anything else is `application/octet-stream`.
 * - {@link WEB_CONTENT_TYPES}: the media types plus the web apps' own built assets (player, studio), which
 *   we build ourselves.
 *
 * Textual types carry `charset=utf-8`; JSON does not, as RFC 8259 §11 defines no charset parameter.
 * Browser-safe.
 */
export const MEDIA_CONTENT_TYPES = {
  // HLS (RFC 8216 §4), fMP4 segments (ISO/IEC 23009-1 registers video/iso.segment) and MPEG-TS
  '.m3u8': 'application/vnd.apple.mpegurl',
  '.m4s': 'video/iso.segment',
  '.ts': 'video/mp2t',
  '.mp4': 'video/mp4',
  '.m4v': 'video/mp4',
  '.m4a': 'audio/mp4',
  '.mov': 'video/quicktime',
  '.mkv': 'video/x-matroska',
  '.webm': 'video/webm',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.png': 'image/png',
  '.webp': 'image/webp',
  '.vtt': 'text/vtt; charset=utf-8',
  '.json': 'application/json',
} as const satisfies Record<`.${string}`, string>;

export const WEB_CONTENT_TYPES = {
  ...MEDIA_CONTENT_TYPES,
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.map': 'application/json',
  '.txt': 'text/plain; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.ico': 'image/x-icon',
  '.wasm': 'application/wasm',
  '.woff2': 'font/woff2',
} as const satisfies Record<`.${string}`, string>;

export const OCTET_STREAM = 'application/octet-stream';

/** The lower-case extension of the last segment of a file name, URL path or file path: "a/B.MP4" → ".mp4", "a.d/file" → "". */
export function fileExtension(fileName: string): string {
  const base = fileName.slice(Math.max(fileName.lastIndexOf('/'), fileName.lastIndexOf('\\')) + 1);
  const dot = base.lastIndexOf('.');
  return dot <= 0 ? '' : base.slice(dot).toLowerCase();
}

/** The content type of a creator's media file (the origin's /media, the studio's source preview); unknown → octet-stream. */
export function mediaContentType(fileName: string): string {
  return lookup(MEDIA_CONTENT_TYPES, fileName);
}

/** The content type of a built web-app asset (the player, the studio in a browser); unknown → octet-stream. */
export function webContentType(fileName: string): string {
  return lookup(WEB_CONTENT_TYPES, fileName);
}

function lookup(table: Readonly<Record<string, string>>, fileName: string): string {
  const extension = fileExtension(fileName);
  return Object.hasOwn(table, extension) ? (table[extension] ?? OCTET_STREAM) : OCTET_STREAM;
}
