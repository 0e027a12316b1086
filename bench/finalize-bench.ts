// Finalize under hostile-but-cheap input, with /healthz polled meanwhile (loopback only, bounded).
// Scenarios:
//   attack     the input from issue #8: a master with many variants all naming one big media playlist
//              whose segments are missing (one request, the cost the old code paid per variant)
//   legal-max  concurrent finalizes of the heaviest ladders the limits allow: every variant its own
//              media playlist at the size limit, every segment line naming one uploaded file
// Baseline in the same run: /healthz latency with the origin idle.
import { startTestOrigin } from '../origin/src/test-support/test-origin.ts';
import { machineLine } from './lib/results.ts';

const ATTACK_VARIANTS = Number(process.env.BENCH_FINALIZE_ATTACK_VARIANTS ?? 300);
const ATTACK_SEGMENTS = Number(process.env.BENCH_FINALIZE_ATTACK_SEGMENTS ?? 40_000);
const CONCURRENT = Number(process.env.BENCH_FINALIZE_CONCURRENT ?? 4);
const LEGAL_VARIANTS = Number(process.env.BENCH_FINALIZE_VARIANTS ?? 32);
/** Segment lines per media playlist in legal-max: 32 of them make the 8 MiB of playlists a content may have (~24 bytes a line). */
const LEGAL_SEGMENTS = Number(process.env.BENCH_FINALIZE_SEGMENTS ?? 10_000);
const REQUEST_TIMEOUT_MS = 120_000;

function mediaPlaylist(segments: number, name: (i: number) => string): string {
  const lines = ['#EXTM3U', '#EXT-X-VERSION:7', '#EXT-X-TARGETDURATION:2', '#EXT-X-PLAYLIST-TYPE:VOD'];
  for (let i = 0; i < segments; i += 1) lines.push('#EXTINF:2.000,', name(i));
  lines.push('#EXT-X-ENDLIST');
  return `${lines.join('\n')}\n`;
}

function masterPlaylist(uris: string[]): string {
  const lines = ['#EXTM3U', '#EXT-X-VERSION:7'];
  uris.forEach((uri, i) => lines.push(`#EXT-X-STREAM-INF:BANDWIDTH=${100_000 + i},RESOLUTION=256x128,FRAME-RATE=30.000,CODECS="avc1.42c00d"`, uri));
  return `${lines.join('\n')}\n`;
}

interface Sample {
  latencies: number[];
}

/** Polls /healthz one request at a time until stopped; a request that fails counts as its time to fail. */
function pollHealthz(url: string): { stop(): Promise<Sample> } {
  const latencies: number[] = [];
  let running = true;
  const loop = (async () => {
    const deadline = Date.now() + REQUEST_TIMEOUT_MS * 2;
    while (running && Date.now() < deadline) {
      const started = performance.now();
      await fetch(`${url}/healthz`)
        .then((r) => r.arrayBuffer())
        .catch(() => undefined);
      latencies.push(performance.now() - started);
      await new Promise((resolve) => setTimeout(resolve, 10));
    }
  })();
  return {
    async stop() {
      running = false;
      await loop;
      return { latencies };
    },
  };
}

function percentile(values: number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

const ms = (n: number) => `${n.toFixed(n < 10 ? 1 : 0)} ms`;

export async function runFinalizeBench(): Promise<{ markdown: string }> {
  // A real origin on PGlite in a temp folder, and a creator with a session: the same as the origin's tests start.
  const t = await startTestOrigin('pglite');
  const { origin } = t;
  try {
    const { token } = await t.user('bench');
    const auth = { authorization: `Bearer ${token}` };
    const newContent = async (title: string): Promise<string> => {
      const r = await fetch(`${origin.url}/api/content`, {
        method: 'POST',
        headers: { ...auth, 'content-type': 'application/json' },
        body: JSON.stringify({ title }),
      });
      return ((await r.json()) as { id: string }).id;
    };
    const put = async (id: string, file: string, body: string) => {
      const r = await fetch(`${origin.url}/media/${id}/${file}`, { method: 'PUT', headers: auth, body });
      if (r.status !== 201) throw new Error(`PUT ${file}: ${r.status} ${await r.text()}`);
    };
    const finalize = async (id: string) => {
      const started = performance.now();
      const r = await fetch(`${origin.url}/api/content/${id}/finalize`, {
        method: 'POST',
        headers: { ...auth, 'content-type': 'application/json' },
        body: JSON.stringify({ master: 'master.m3u8' }),
        signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS),
      }).catch((error: Error) => ({ status: `error ${error.name}` }) as const);
      if ('text' in r) await r.text();
      return { status: r.status, seconds: (performance.now() - started) / 1000 };
    };

    // Baseline: healthz with nothing else going on.
    const idle = pollHealthz(origin.url);
    await new Promise((resolve) => setTimeout(resolve, 1500));
    const idleSample = await idle.stop();

    // Scenario 1: the attack, one request.
    const attackId = await newContent('attack');
    await put(
      attackId,
      'v.m3u8',
      mediaPlaylist(ATTACK_SEGMENTS, (i) => `seg_${i}.m4s`),
    );
    await put(attackId, 'master.m3u8', masterPlaylist(Array.from({ length: ATTACK_VARIANTS }, () => 'v.m3u8')));
    const rssBeforeAttack = process.memoryUsage().rss;
    let poll = pollHealthz(origin.url);
    const attack = await finalize(attackId);
    const attackHealth = await poll.stop();
    const rssAfterAttack = process.memoryUsage().rss;

    // Scenario 2: CONCURRENT finalizes of the heaviest legal ladders.
    const ids: string[] = [];
    for (let c = 0; c < CONCURRENT; c += 1) {
      const id = await newContent(`legal-${c}`);
      await put(id, 'seg.m4s', 'x');
      const uris: string[] = [];
      for (let v = 0; v < LEGAL_VARIANTS; v += 1) {
        await put(
          id,
          `v${v}.m3u8`,
          mediaPlaylist(LEGAL_SEGMENTS, () => 'seg.m4s'),
        );
        uris.push(`v${v}.m3u8`);
      }
      await put(id, 'master.m3u8', masterPlaylist(uris));
      ids.push(id);
    }
    poll = pollHealthz(origin.url);
    const legal = await Promise.all(ids.map((id) => finalize(id)));
    const legalHealth = await poll.stop();
    const rssAfterLegal = process.memoryUsage().rss;

    const mb = (n: number) => `${(n / 2 ** 20).toFixed(0)} MiB`;
    const row = (name: string, s: Sample) =>
      `| ${name} | ${s.latencies.length} | ${ms(percentile(s.latencies, 50))} | ${ms(percentile(s.latencies, 99))} | ${ms(Math.max(...s.latencies))} |`;
    const statuses = (list: { status: number | string }[]) => [...new Set(list.map((r) => r.status))].join(', ');
    const markdown = [
      '## finalize',
      '',
      `${machineLine()}; ${new Date().toISOString().slice(0, 10)}; embedded PGlite, origin and client in one process.`,
      '',
      '| scenario | finalize answer | finalize time | RSS before → after |',
      '| --- | --- | --- | --- |',
      `| attack: ${ATTACK_VARIANTS} variants → one playlist of ${ATTACK_SEGMENTS.toLocaleString('en')} missing segments | ${attack.status} | ${attack.seconds.toFixed(2)} s | ${mb(rssBeforeAttack)} → ${mb(rssAfterAttack)} |`,
      `| legal-max: ${CONCURRENT} concurrent, ${LEGAL_VARIANTS} variants × ${LEGAL_SEGMENTS.toLocaleString('en')} segment lines each | ${statuses(legal)} | max ${Math.max(...legal.map((r) => r.seconds)).toFixed(2)} s | → ${mb(rssAfterLegal)} |`,
      '',
      '`/healthz` polled one request at a time (10 ms apart) during each scenario:',
      '',
      '| while | requests | p50 | p99 | max |',
      '| --- | --- | --- | --- | --- |',
      row('idle (baseline)', idleSample),
      row('attack', attackHealth),
      row('legal-max', legalHealth),
      '',
      'Target: each finalize answers within 2 s for any input under the limits; /healthz p99 < 100 ms meanwhile.',
      '',
      'Before the hardening (same machine, same bench, 32 × 20,000 lines): the attack took 48.15 s and grew RSS 559 → 1809 MiB;',
      'legal-max took 13.16 s with /healthz p99 1110 ms. The idle baseline varies with what else runs on this shared machine.',
    ].join('\n');
    console.log(markdown);
    return { markdown };
  } finally {
    await t.close();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) await runFinalizeBench();
