/**
 * For tests: when the first picture and the first sound of a ladder's first segment are presented,
 * read with ffprobe from the init segment plus segment 0, and the edit lists of the init segments.
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { runFfprobe } from './ffmpeg-process.ts';
import { findBox, parseBoxes } from './mp4-boxes.ts';

export interface TrackStart {
  /** ffprobe's `stream=start_time` of init + segment 0 (seconds). */
  startTime: number;
  /** Smallest packet pts of init + segment 0 (seconds). */
  firstPts: number;
  /** Length of a packet (the most common one): an audio frame for audio. */
  frameSeconds: number;
  /** Edit list entries of the init segment's track: media_time −1 is an empty edit (a delay). */
  edits: { durationTicks: number; mediaTime: number }[];
}

/** The `elst` entries of every track of an init segment. */
export function editListsOf(init: Uint8Array): { durationTicks: number; mediaTime: number }[][] {
  const view = new DataView(init.buffer, init.byteOffset, init.byteLength);
  const moov = findBox(parseBoxes(init), 'moov');
  return (moov?.children ?? [])
    .filter((b) => b.type === 'trak')
    .map((trak) => {
      const elst = findBox(findBox(trak.children, 'edts')?.children ?? [], 'elst');
      if (!elst) return [];
      const at = elst.contentStart;
      const version = view.getUint8(at);
      const count = view.getUint32(at + 4);
      const entries: { durationTicks: number; mediaTime: number }[] = [];
      let o = at + 8;
      for (let i = 0; i < count; i++) {
        if (version === 1) {
          entries.push({ durationTicks: Number(view.getBigUint64(o)), mediaTime: Number(view.getBigInt64(o + 8)) });
          o += 20;
        } else {
          entries.push({ durationTicks: view.getUint32(o), mediaTime: view.getInt32(o + 4) });
          o += 12;
        }
      }
      return entries;
    });
}

/** Start of one rendition (`init` and `segment` are file paths). */
export async function trackStart(init: string, segment: string): Promise<TrackStart> {
  const scratch = await mkdtemp(path.join(os.tmpdir(), 'spherecast-start-'));
  try {
    const initBytes = await readFile(init);
    const joined = path.join(scratch, 'first.mp4');
    await writeFile(joined, Buffer.concat([initBytes, await readFile(segment)]));
    const json = JSON.parse(await runFfprobe(['-show_entries', 'stream=start_time:packet=pts_time,duration_time', '-of', 'json', joined])) as {
      streams: { start_time: string }[];
      packets: { pts_time: string; duration_time?: string }[];
    };
    const pts = json.packets.map((p) => Number(p.pts_time));
    // The first packet of a fragment may carry no duration: take the median of those that do.
    const durations = json.packets
      .filter((p) => p.duration_time !== undefined)
      .map((p) => Number(p.duration_time))
      .sort((a, b) => a - b);
    return {
      startTime: Number(json.streams[0]?.start_time),
      firstPts: Math.min(...pts),
      frameSeconds: durations[durations.length >> 1] ?? Number.NaN,
      edits: editListsOf(initBytes)[0] ?? [],
    };
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}
