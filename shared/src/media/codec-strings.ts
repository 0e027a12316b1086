/**
 * RFC 6381 codec strings for the HLS CODECS attribute, read from the sample entries of an init
 * segment: `avc1.PPCCLL` from avcC, `hvc1.…` from hvcC (ISO/IEC 14496-15 Annex E), `mp4a.OT.AOT`
 * from esds.
 */
import { MediaError } from './errors.ts';
import { boxPayload, findBox, listTracks, type Mp4Box } from './mp4-boxes.ts';

function hex2(n: number): string {
  return n.toString(16).toUpperCase().padStart(2, '0');
}

export function avcCodecString(avcC: Uint8Array): string {
  // configurationVersion, AVCProfileIndication, profile_compatibility, AVCLevelIndication
  if (avcC.length < 4) throw new MediaError('MP4_MALFORMED', 'The avcC box is truncated; re-run the transcode.');
  return `avc1.${hex2(avcC[1]!)}${hex2(avcC[2]!)}${hex2(avcC[3]!)}`;
}

export function hevcCodecString(hvcC: Uint8Array, sampleEntry = 'hvc1'): string {
  if (hvcC.length < 13) throw new MediaError('MP4_MALFORMED', 'The hvcC box is truncated; re-run the transcode.');
  const view = new DataView(hvcC.buffer, hvcC.byteOffset, hvcC.byteLength);
  const profileSpace = hvcC[1]! >> 6;
  const tier = (hvcC[1]! >> 5) & 1;
  const profileIdc = hvcC[1]! & 0x1f;
  const compatibility = view.getUint32(2);
  // The 32 compatibility flags are written in reverse bit order, as hex without leading zeros.
  let reversed = 0;
  for (let i = 0; i < 32; i++) if (compatibility & (1 << i)) reversed |= 1 << (31 - i);
  const constraints = [...hvcC.subarray(6, 12)];
  while (constraints.length > 0 && constraints.at(-1) === 0) constraints.pop();
  const level = hvcC[12]!;
  const parts = [
    sampleEntry,
    `${['', 'A', 'B', 'C'][profileSpace]}${profileIdc}`,
    (reversed >>> 0).toString(16).toUpperCase(),
    `${tier ? 'H' : 'L'}${level}`,
    ...constraints.map(hex2),
  ];
  return parts.join('.');
}

/** Reads an MPEG-4 descriptor length (1–4 bytes, 7 bits each). */
function descriptorLength(bytes: Uint8Array, offset: number): { length: number; next: number } {
  let length = 0;
  let i = offset;
  for (let n = 0; n < 4; n++) {
    const b = bytes[i++] ?? 0;
    length = (length << 7) | (b & 0x7f);
    if (!(b & 0x80)) break;
  }
  return { length, next: i };
}

export function mp4aCodecString(esds: Uint8Array): string {
  // FullBox header, then ES_Descriptor (0x03) > DecoderConfigDescriptor (0x04) > DecoderSpecificInfo (0x05).
  let i = 4;
  if (esds[i] !== 0x03) throw new MediaError('MP4_MALFORMED', 'The esds box has no ES descriptor; re-run the transcode.');
  i = descriptorLength(esds, i + 1).next;
  const flags = esds[i + 2] ?? 0;
  i += 3;
  if (flags & 0x80) i += 2; // dependsOn_ES_ID
  if (flags & 0x40) i += 1 + (esds[i] ?? 0); // URL
  if (flags & 0x20) i += 2; // OCR_ES_Id
  if (esds[i] !== 0x04) throw new MediaError('MP4_MALFORMED', 'The esds box has no decoder config; re-run the transcode.');
  i = descriptorLength(esds, i + 1).next;
  const objectType = esds[i] ?? 0;
  i += 13;
  if (esds[i] !== 0x05) return `mp4a.${objectType.toString(16)}`;
  i = descriptorLength(esds, i + 1).next;
  let audioObjectType = (esds[i] ?? 0) >> 3;
  if (audioObjectType === 31) audioObjectType = 32 + ((((esds[i] ?? 0) & 0x07) << 3) | ((esds[i + 1] ?? 0) >> 5));
  return `mp4a.${objectType.toString(16)}.${audioObjectType}`;
}

function configBox(entry: Mp4Box, type: string): Mp4Box {
  const box = findBox(entry.children, type);
  if (!box) throw new MediaError('MP4_MALFORMED', `The ${entry.type} sample entry has no ${type} box; re-run the transcode.`);
  return box;
}

export interface TrackCodec {
  handler: string;
  sampleEntry: string;
  codec: string;
}

/** The codec string of every track of an MP4 or init segment. */
export function codecStringsOf(mp4: Uint8Array): TrackCodec[] {
  return listTracks(mp4).flatMap((track) => {
    const entry = track.sampleEntry;
    if (!entry) return [];
    let codec: string;
    if (entry.type === 'avc1' || entry.type === 'avc3') codec = avcCodecString(boxPayload(mp4, configBox(entry, 'avcC'))).replace(/^avc1/, entry.type);
    else if (entry.type === 'hvc1' || entry.type === 'hev1') codec = hevcCodecString(boxPayload(mp4, configBox(entry, 'hvcC')), entry.type);
    else if (entry.type === 'mp4a') codec = mp4aCodecString(boxPayload(mp4, configBox(entry, 'esds')));
    else codec = entry.type;
    return [{ handler: track.handler, sampleEntry: entry.type, codec }];
  });
}
