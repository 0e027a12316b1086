// HTTP helpers shared by the origin and the studio's server. Browser-safe (no Node imports).
export { contentRange, parseByteRange, unsatisfiedRange, type ByteRange } from './byte-range.ts';
export { fileExtension, MEDIA_CONTENT_TYPES, mediaContentType, OCTET_STREAM, WEB_CONTENT_TYPES, webContentType } from './content-types.ts';
