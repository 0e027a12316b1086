/**
 * What the live ingest reads from fragmented MP4 (ISO/IEC 14496-12): the timescale and codecs of an
 * init segment, and the decode time and duration of a media segment, so the origin writes EXTINF
 * and EXT-X-PROGRAM-DATE-TIME from the media itself rather than from what an encoder claims.
 */
import { codecStringsOf, findBox, listTracks, parseBoxes, type Mp4Box } from '@spherecast/shared/media';

export class Fmp4Error extends Error {
  override name = 'Fmp4Error';
}

export interface InitInfo {
  /** The track durations are measured on: the video track, else the first. */
  trackId: number;
  timescale: number;
  /** RFC 6381 codec strings of every track, comma-separated (`avc1.64001f,mp4a.40.2`). */
  codecs: string;
}

export interface SegmentTiming {
  /** Decode time of the first sample (tfdt), in the init's timescale. */
  decodeTime: bigint;
  /** Sum of the sample durations of the measured track, in seconds. */
  durationSeconds: number;
}

function view(buf: Uint8Array): DataView {
  return new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
}

function parse(buf: Uint8Array, what: string): Mp4Box[] {
  try {
    return parseBoxes(buf);
  } catch {
    throw new Fmp4Error(`${what} is not a readable MP4 box structure.`);
  }
}

/** Reads an init segment (`ftyp` + `moov`). */
export function readInit(buf: Uint8Array): InitInfo {
  const boxes = parse(buf, 'The init segment');
  const tracks = listTracks(buf, boxes);
  const track = tracks.find((t) => t.handler === 'vide') ?? tracks[0];
  if (!track || !findBox(boxes, 'moov')) throw new Fmp4Error('The init segment has no moov box with a track: send the init.mp4 your encoder wrote.');
  const data = view(buf);
  const tkhd = findBox(track.trak.children, 'tkhd');
  const mdhd = findBox(findBox(track.trak.children, 'mdia')?.children ?? [], 'mdhd');
  if (!tkhd || !mdhd) throw new Fmp4Error('The init segment lacks tkhd or mdhd boxes.');
  const tkhdVersion = data.getUint8(tkhd.contentStart);
  const trackId = data.getUint32(tkhd.contentStart + (tkhdVersion === 1 ? 20 : 12));
  const mdhdVersion = data.getUint8(mdhd.contentStart);
  const timescale = data.getUint32(mdhd.contentStart + (mdhdVersion === 1 ? 20 : 12));
  if (timescale === 0) throw new Fmp4Error('The init segment declares a timescale of 0.');
  let codecs: string;
  try {
    codecs = codecStringsOf(buf)
      .map((c) => c.codec)
      .join(',');
  } catch {
    throw new Fmp4Error('The init segment has a sample entry whose codec configuration cannot be read.');
  }
  return { trackId, timescale, codecs };
}

/** Reads the timing of a media segment (`moof` + `mdat`, possibly several) for one track. */
export function readSegmentTiming(buf: Uint8Array, init: Pick<InitInfo, 'trackId' | 'timescale'>): SegmentTiming {
  const boxes = parse(buf, 'The segment');
  const data = view(buf);
  let decodeTime: bigint | null = null;
  let ticks = 0;
  let found = false;
  for (const moof of boxes.filter((b) => b.type === 'moof')) {
    for (const traf of moof.children.filter((b) => b.type === 'traf')) {
      const tfhd = findBox(traf.children, 'tfhd');
      if (!tfhd || data.getUint32(tfhd.contentStart + 4) !== init.trackId) continue;
      found = true;
      const tfhdFlags = data.getUint32(tfhd.contentStart) & 0xffffff;
      let offset = tfhd.contentStart + 8;
      if (tfhdFlags & 0x01) offset += 8;
      if (tfhdFlags & 0x02) offset += 4;
      const defaultDuration = tfhdFlags & 0x08 ? data.getUint32(offset) : 0;
      const tfdt = findBox(traf.children, 'tfdt');
      if (tfdt && decodeTime === null) {
        decodeTime = data.getUint8(tfdt.contentStart) === 1 ? data.getBigUint64(tfdt.contentStart + 4) : BigInt(data.getUint32(tfdt.contentStart + 4));
      }
      for (const trun of traf.children.filter((b) => b.type === 'trun')) {
        const flags = data.getUint32(trun.contentStart) & 0xffffff;
        const count = data.getUint32(trun.contentStart + 4);
        let at = trun.contentStart + 8 + (flags & 0x01 ? 4 : 0) + (flags & 0x04 ? 4 : 0);
        const perSample = ((flags & 0x100 ? 1 : 0) + (flags & 0x200 ? 1 : 0) + (flags & 0x400 ? 1 : 0) + (flags & 0x800 ? 1 : 0)) * 4;
        if (at + count * perSample > trun.start + trun.size) throw new Fmp4Error('The segment has a trun box shorter than its sample count.');
        if (!(flags & 0x100)) {
          ticks += count * defaultDuration;
          continue;
        }
        for (let i = 0; i < count; i++, at += perSample) ticks += data.getUint32(at);
      }
    }
  }
  if (!found || decodeTime === null) {
    throw new Fmp4Error(
      `The segment has no fragment (moof/traf with tfdt) for track ${init.trackId} of its init segment: push fMP4 segments of the same encoder session as init.mp4.`,
    );
  }
  return { decodeTime, durationSeconds: ticks / init.timescale };
}
