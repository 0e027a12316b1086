import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startTestOrigin, type TestOrigin, type TestUser } from '../../test-support/test-origin.ts';

// Flood (loopback only, bounded in count and time): concurrent finalizes of pathological but legal
// ladders, and the attack, while /healthz is polled. Functional bounds only: every finalize
// answers, none with a 500, and /healthz keeps answering. Latencies are measured in
// bench/finalize-bench.ts (bench/RESULTS.md), not asserted here on a shared 2-core machine.

const SEGMENT_LINES = 5000;
const DEADLINE_MS = 90_000;

function mediaPlaylist(lines: number, name: (i: number) => string): string {
  const out = ['#EXTM3U', '#EXT-X-TARGETDURATION:2'];
  for (let i = 0; i < lines; i += 1) out.push('#EXTINF:2.000,', name(i));
  out.push('#EXT-X-ENDLIST');
  return out.join('\n');
}
const master = (uris: string[]) =>
  ['#EXTM3U', ...uris.flatMap((uri, i) => [`#EXT-X-STREAM-INF:BANDWIDTH=${1000 + i},RESOLUTION=256x128,FRAME-RATE=30.000`, uri])].join('\n');

describe('finalize flood', () => {
  let t: TestOrigin;
  let creator: TestUser;
  before(async () => {
    t = await startTestOrigin('pglite');
    creator = await t.user('flooder');
  });
  after(() => t.close());

  const put = async (id: string, file: string, body: string) => {
    const response = await fetch(`${t.url}/media/${id}/${file}`, { method: 'PUT', headers: { authorization: `Bearer ${creator.token}` }, body });
    assert.equal(response.status, 201, `${file}: ${await response.text()}`);
  };

  test('concurrent heavy finalizes all answer (none 500) while /healthz keeps answering', async (context) => {
    const ids: string[] = [];
    // Two of the heaviest legal ladders: 32 playlists of SEGMENT_LINES lines, all naming one segment.
    for (let c = 0; c < 2; c += 1) {
      const id = (await creator.caller.content.create({ title: `legal ${c}` })).id;
      await put(id, 'seg.m4s', 'x');
      const uris = Array.from({ length: 32 }, (_, v) => `v${v}.m3u8`);
      for (const uri of uris)
        await put(
          id,
          uri,
          mediaPlaylist(SEGMENT_LINES, () => 'seg.m4s'),
        );
      await put(id, 'master.m3u8', master(uris));
      ids.push(id);
    }
    // The attack from issue #8, at legal size: 32 variants naming one playlist whose segments are all missing.
    const holes = (await creator.caller.content.create({ title: 'holes' })).id;
    await put(
      holes,
      'v.m3u8',
      mediaPlaylist(SEGMENT_LINES * 4, (i) => `seg_${i}.m4s`),
    );
    await put(holes, 'master.m3u8', master(Array.from({ length: 32 }, () => 'v.m3u8')));
    // Over the limits: 300 variants.
    const tooMany = (await creator.caller.content.create({ title: 'too many' })).id;
    await put(
      tooMany,
      'v.m3u8',
      mediaPlaylist(10, (i) => `seg_${i}.m4s`),
    );
    await put(tooMany, 'master.m3u8', master(Array.from({ length: 300 }, () => 'v.m3u8')));

    const latencies: number[] = [];
    let polling = true;
    const started = Date.now();
    const poller = (async () => {
      while (polling && Date.now() - started < DEADLINE_MS) {
        const t0 = performance.now();
        const response = await fetch(`${t.url}/healthz`);
        await response.arrayBuffer();
        assert.equal(response.status, 200);
        latencies.push(performance.now() - t0);
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
    })();
    const answers = await Promise.all(
      [...ids, holes, tooMany].map(async (id) => {
        const t0 = performance.now();
        const response = await t.http('POST', `/api/content/${id}/finalize`, { token: creator.token, body: { master: 'master.m3u8' } });
        return { id, status: response.status, message: response.body.message as string | undefined, ms: performance.now() - t0 };
      }),
    );
    polling = false;
    await poller;
    const byId = new Map(answers.map((a) => [a.id, a]));
    for (const id of ids) assert.equal(byId.get(id)!.status, 200, byId.get(id)!.message);
    assert.equal(byId.get(holes)!.status, 400);
    assert.match(byId.get(holes)!.message!, /^20000 file\(s\) the playlists name are not uploaded yet/);
    assert.equal(byId.get(tooMany)!.status, 400);
    assert.match(byId.get(tooMany)!.message!, /more than 32 variant streams/);
    assert.ok(latencies.length > 0, '/healthz answered during the flood');
    const sorted = [...latencies].sort((a, b) => a - b);
    context.diagnostic(
      `finalize ms: ${answers.map((a) => Math.round(a.ms)).join(', ')}; healthz n=${sorted.length} p50=${sorted[Math.floor(sorted.length / 2)]!.toFixed(1)} max=${sorted.at(-1)!.toFixed(1)} ms`,
    );
  });
});
