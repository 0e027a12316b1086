/**
 * Just enough ISO BMFF (MP4) box handling for the engine: read the box tree of an init segment or a
 * progressive file, read the codec configuration of its sample entries, and insert the Google
 * spatial-media V2 boxes (`st3d`, `sv3d`) into the video sample entry.
 * Spec: https://github.com/google/spatial-media/blob/master/docs/spherical-video-v2-rfc.md
 */
import { MediaError } from './errors.ts';
import type { Projection } from '../projection.ts';

export interface Mp4Box {
  type: string;
  /** Offset of the box's first byte in the file. */
  start: number;
  /** Header length: 8, or 16 with a 64-bit size. */
  headerSize: number;
  /** Whole box length, header included. */
  size: number;
  /** Offset where the children (or, for leaves, the payload) start. */
  contentStart: number;
  children: Mp4Box[];
}

const CONTAINERS = new Set(['moov', 'trak', 'mdia', 'minf', 'stbl', 'dinf', 'edts', 'mvex', 'udta', 'sv3d', 'proj', 'moof', 'traf']);
/** Visual and audio sample entries: their child boxes follow a fixed-size body. */
const VISUAL_SAMPLE_ENTRIES = new Set(['avc1', 'avc3', 'hvc1', 'hev1', 'av01', 'vp09', 'mp4v', 'encv']);
const AUDIO_SAMPLE_ENTRIES = new Set(['mp4a', 'ac-3', 'ec-3', 'Opus', 'fLaC', 'enca']);
/** 8-byte SampleEntry header + 70 bytes of VisualSampleEntry fields (ISO/IEC 14496-12 §12.1.3). */
const VISUAL_SAMPLE_ENTRY_BODY = 78;
/** 8 bytes of SampleEntry + 20 bytes of AudioSampleEntry (v0) fields. */
const AUDIO_SAMPLE_ENTRY_BODY = 28;

function childStart(box: { type: string; contentStart: number }): number | undefined {
  if (CONTAINERS.has(box.type)) return box.contentStart;
  if (box.type === 'stsd') return box.contentStart + 8; // FullBox header + entry_count
  if (VISUAL_SAMPLE_ENTRIES.has(box.type)) return box.contentStart + VISUAL_SAMPLE_ENTRY_BODY;
  if (AUDIO_SAMPLE_ENTRIES.has(box.type)) return box.contentStart + AUDIO_SAMPLE_ENTRY_BODY;
  return undefined;
}

function malformed(reason: string): MediaError {
  return new MediaError('MP4_MALFORMED', `The MP4 file is malformed (${reason}). Re-encode it, or report the file if ffmpeg wrote it.`);
}

/** Parses the boxes in `buf[start, end)`, descending into known containers and sample entries. */
export function parseBoxes(buf: Uint8Array, start = 0, end = buf.length): Mp4Box[] {
  const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  const boxes: Mp4Box[] = [];
  let offset = start;
  while (offset + 8 <= end) {
    let size = view.getUint32(offset);
    const type = String.fromCharCode(buf[offset + 4]!, buf[offset + 5]!, buf[offset + 6]!, buf[offset + 7]!);
    let headerSize = 8;
    if (size === 1) {
      if (offset + 16 > end) throw malformed(`truncated 64-bit size of ${type}`);
      size = Number(view.getBigUint64(offset + 8));
      headerSize = 16;
    } else if (size === 0) {
      size = end - offset;
    }
    if (size < headerSize || offset + size > end) {
      // A truncated last box (e.g. a progressive file still being written) ends the walk.
      if (boxes.length > 0 && offset + headerSize <= end) break;
      throw malformed(`box ${type} at ${offset} has size ${size}`);
    }
    const box: Mp4Box = { type, start: offset, headerSize, size, contentStart: offset + headerSize, children: [] };
    const first = childStart(box);
    if (first !== undefined && first <= offset + size) box.children = parseBoxes(buf, first, offset + size);
    boxes.push(box);
    offset += size;
  }
  return boxes;
}

export function findBox(boxes: readonly Mp4Box[], type: string): Mp4Box | undefined {
  return boxes.find((b) => b.type === type);
}

/** Follows a path of box types (`['moov', 'trak']`), taking the first match at each level. */
export function findPath(boxes: readonly Mp4Box[], path: readonly string[]): Mp4Box | undefined {
  let level = boxes;
  let found: Mp4Box | undefined;
  for (const type of path) {
    found = findBox(level, type);
    if (!found) return undefined;
    level = found.children;
  }
  return found;
}

export interface Mp4Track {
  trak: Mp4Box;
  /** `vide`, `soun`, … from the `hdlr` box. */
  handler: string;
  /** The first sample entry in `stsd` (`avc1`, `hvc1`, `mp4a`, …). */
  sampleEntry: Mp4Box | undefined;
  /** Ancestors of the sample entry, outermost first: moov, trak, mdia, minf, stbl, stsd. */
  ancestors: Mp4Box[];
}

export function listTracks(buf: Uint8Array, boxes: readonly Mp4Box[] = parseBoxes(buf)): Mp4Track[] {
  const moov = findBox(boxes, 'moov');
  if (!moov) return [];
  return moov.children
    .filter((b) => b.type === 'trak')
    .map((trak) => {
      const mdia = findBox(trak.children, 'mdia');
      const hdlr = mdia && findBox(mdia.children, 'hdlr');
      // hdlr: FullBox header (4) + pre_defined (4) + handler_type (4)
      const handler = hdlr ? latin1(buf, hdlr.contentStart + 8, 4) : '';
      const minf = mdia && findBox(mdia.children, 'minf');
      const stbl = minf && findBox(minf.children, 'stbl');
      const stsd = stbl && findBox(stbl.children, 'stsd');
      const sampleEntry = stsd?.children[0];
      const ancestors = [moov, trak, mdia, minf, stbl, stsd].filter((b): b is Mp4Box => b !== undefined);
      return { trak, handler, sampleEntry, ancestors };
    });
}

export function latin1(buf: Uint8Array, start: number, length: number): string {
  return String.fromCharCode(...buf.subarray(start, start + length));
}

/** Payload of a leaf box (after its header). */
export function boxPayload(buf: Uint8Array, box: Mp4Box): Uint8Array {
  return buf.subarray(box.contentStart, box.start + box.size);
}

function makeBox(type: string, payload: Uint8Array): Uint8Array {
  const out = new Uint8Array(8 + payload.length);
  new DataView(out.buffer).setUint32(0, out.length);
  for (let i = 0; i < 4; i++) out[4 + i] = type.charCodeAt(i);
  out.set(payload, 8);
  return out;
}

function fullBoxPayload(version: number, flags: number, body: Uint8Array): Uint8Array {
  const out = new Uint8Array(4 + body.length);
  new DataView(out.buffer).setUint32(0, ((version & 0xff) << 24) | (flags & 0xffffff));
  out.set(body, 4);
  return out;
}

function concat(parts: readonly Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}

/** Stereo mode values of the `st3d` box. */
const STEREO_MODE = { 'equirectangular-mono': 0, 'stereo-top-bottom': 1, 'stereo-left-right': 2 } as const satisfies Record<Projection, number>;

/**
 * The spatial-media V2 boxes for a full-sphere equirectangular picture: `st3d` (stereo mode) and
 * `sv3d(svhd, proj(prhd, equi))` with zero pose and zero projection bounds.
 */
export function buildSphericalBoxes(projection: Projection, metadataSource = 'Spherecast Studio'): Uint8Array {
  const st3d = makeBox('st3d', fullBoxPayload(0, 0, Uint8Array.of(STEREO_MODE[projection])));
  const svhd = makeBox('svhd', fullBoxPayload(0, 0, new TextEncoder().encode(`${metadataSource}\0`)));
  const prhd = makeBox('prhd', fullBoxPayload(0, 0, new Uint8Array(12))); // yaw, pitch, roll: 16.16 fixed, all 0
  const equi = makeBox('equi', fullBoxPayload(0, 0, new Uint8Array(16))); // top, bottom, left, right bounds: 0.32 fixed, all 0
  const proj = makeBox('proj', concat([prhd, equi]));
  const sv3d = makeBox('sv3d', concat([svhd, proj]));
  return concat([st3d, sv3d]);
}

/**
 * Returns a copy of an MP4 (init segment or progressive file) whose video sample entry carries
 * `st3d` + `sv3d` for `projection`, replacing any spherical boxes already there. Every ancestor's
 * size is fixed up, and when `moov` precedes the media data, chunk offsets (`stco`/`co64`) are
 * shifted by the bytes added.
 */
export function injectSphericalMetadata(input: Uint8Array, projection: Projection): Uint8Array {
  const boxes = parseBoxes(input);
  const video = listTracks(input, boxes).find((t) => t.handler === 'vide' && t.sampleEntry);
  if (!video?.sampleEntry) throw malformed('no video sample entry in moov');
  const entry = video.sampleEntry;
  if (!VISUAL_SAMPLE_ENTRIES.has(entry.type)) throw malformed(`unsupported video sample entry ${entry.type}`);

  // Drop existing spherical boxes, then append the new ones at the end of the sample entry.
  const removed = entry.children.filter((c) => c.type === 'st3d' || c.type === 'sv3d' || c.type === 'uuid');
  const sphericalUuidRemoved = removed.filter((c) => c.type !== 'uuid' || isSphericalV1Uuid(input, c));
  const insert = buildSphericalBoxes(projection);
  const entryEnd = entry.start + entry.size;
  const pieces: Uint8Array[] = [];
  let cursor = 0;
  for (const box of sphericalUuidRemoved) {
    pieces.push(input.subarray(cursor, box.start));
    cursor = box.start + box.size;
  }
  pieces.push(input.subarray(cursor, entryEnd), insert, input.subarray(entryEnd));
  const output = concat(pieces);
  const removedBytes = sphericalUuidRemoved.reduce((n, b) => n + b.size, 0);
  const delta = insert.length - removedBytes;

  const view = new DataView(output.buffer, output.byteOffset, output.byteLength);
  for (const box of [...video.ancestors, entry]) {
    // Every ancestor starts before the edit, so its offset is unchanged.
    if (box.headerSize === 16) view.setBigUint64(box.start + 8, BigInt(box.size + delta));
    else view.setUint32(box.start, box.size + delta);
  }

  const moov = video.ancestors[0]!;
  const mediaAfterMoov = boxes.some((b) => (b.type === 'mdat' || b.type === 'moof') && b.start > moov.start);
  if (mediaAfterMoov && delta !== 0) shiftChunkOffsets(output, moov.start, delta);
  return output;
}

/** The spherical V1 `uuid` box: ffcc8263-f855-4a93-8814-587a02521fdd. */
function isSphericalV1Uuid(buf: Uint8Array, box: Mp4Box): boolean {
  const id = Buffer.from(buf.subarray(box.contentStart, box.contentStart + 16)).toString('hex');
  return id === 'ffcc8263f8554a938814587a02521fdd';
}

function shiftChunkOffsets(buf: Uint8Array, moovStart: number, delta: number): void {
  const view = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  const moov = parseBoxes(buf).find((b) => b.start === moovStart);
  if (!moov) throw malformed('moov moved while shifting chunk offsets');
  for (const trak of moov.children.filter((b) => b.type === 'trak')) {
    const stbl = findPath(trak.children, ['mdia', 'minf', 'stbl']);
    for (const table of stbl?.children ?? []) {
      if (table.type !== 'stco' && table.type !== 'co64') continue;
      const count = view.getUint32(table.contentStart + 4);
      for (let i = 0; i < count; i++) {
        if (table.type === 'stco') {
          const at = table.contentStart + 8 + i * 4;
          const value = view.getUint32(at);
          if (value > moovStart) view.setUint32(at, value + delta);
        } else {
          const at = table.contentStart + 8 + i * 8;
          const value = view.getBigUint64(at);
          if (value > BigInt(moovStart)) view.setBigUint64(at, value + BigInt(delta));
        }
      }
    }
  }
}
