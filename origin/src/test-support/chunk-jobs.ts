// What the chunked-transcoding tests read back: which worker ran each chunk job (pg-boss keeps the
// handler's output), and the published ladder's packets, fetched over HTTP as a player would.
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { parseMasterPlaylist, parseMediaPlaylist, runFfprobe } from '@spherecast/shared/media';
import type { TestOrigin, TestUser } from './test-origin.ts';

/** The chunk jobs pg-boss completed for an upload, with the worker each one's handler named. */
export async function completedChunkJobs(t: TestOrigin, uploadId: string): Promise<Array<{ index: number; workerId: string }>> {
  const rows = await t.origin.services.prisma.$queryRawUnsafe<Array<{ index: number; worker_id: string }>>(
    `SELECT (data->>'index')::int AS index, output->>'workerId' AS worker_id FROM pgboss.job
      WHERE name = 'transcode-chunk' AND data->>'uploadId' = $1 AND state = 'completed' ORDER BY 1`,
    uploadId,
  );
  return rows.map((row) => ({ index: row.index, workerId: row.worker_id }));
}

/** Every video packet of every rung of the published ladder, fetched over HTTP as a player would. */
export async function publishedRungs(t: TestOrigin, user: TestUser, contentId: string, scratch: string, fps: number) {
  const playback = await t.http('GET', `/api/streaming/${contentId}`, { token: user.token });
  const masterUrl = new URL((playback.body as { masterUrl: string }).masterUrl, t.url);
  const master = parseMasterPlaylist(await (await fetch(masterUrl)).text());
  const rungs: Array<{ uri: string; pts: number[]; dts: number[]; frame: number }> = [];
  for (const variant of master.variants) {
    const playlistUrl = new URL(variant.uri, masterUrl);
    const playlist = parseMediaPlaylist(await (await fetch(playlistUrl)).text());
    const parts = [playlist.initUri!, ...playlist.segments.map((s) => s.uri)];
    const bytes = await Promise.all(parts.map(async (uri) => Buffer.from(await (await fetch(new URL(uri, playlistUrl))).arrayBuffer())));
    const file = path.join(scratch, `rung-${rungs.length}.mp4`);
    await writeFile(file, Buffer.concat(bytes));
    const json = JSON.parse(await runFfprobe(['-select_streams', 'v:0', '-show_entries', 'packet=pts,dts:stream=time_base', '-of', 'json', file])) as {
      packets: { pts: number; dts: number }[];
      streams: { time_base: string }[];
    };
    const [num, den] = json.streams[0]!.time_base.split('/').map(Number);
    rungs.push({
      uri: variant.uri,
      pts: json.packets.map((p) => p.pts).sort((a, b) => a - b),
      dts: json.packets.map((p) => p.dts),
      frame: Math.round(den! / num! / fps),
    });
  }
  return rungs;
}
