import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { testDatabaseKinds } from '../test-support/databases.ts';
import { startTestOrigin, type TestOrigin } from '../test-support/test-origin.ts';

/**
 * A search flood against the origin on loopback: a bounded number of requests, each with a query
 * no cache has seen, from many concurrent connections, while /healthz is probed on its own
 * connection. The figures are printed (see bench/ for speed claims); the assertions are functional:
 * every request answered, no 5xx, /healthz answered throughout.
 */
const CONTENTS = 400;
const REQUESTS = 600;
const CONCURRENCY = 32;
const WORDS = ['surf', 'ocean', 'city', 'night', 'alps', 'forest', 'tram', 'beach', 'river', 'desert', 'snow', 'harbour'];

const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;

const kinds = await testDatabaseKinds();
// One database is enough for a flood: PostgreSQL when there is a server (the production case), else PGlite.
const kind = kinds.includes('postgres') ? 'postgres' : 'pglite';

describe(`search flood keeps /healthz responsive (${kind})`, () => {
  let t: TestOrigin;
  before(async () => {
    // The cache stays on (its production default), but every flood query is new to it.
    t = await startTestOrigin(kind, { searchCacheMs: 30_000 });
    const owner = await t.user('flood_owner');
    await t.origin.services.prisma.content.createMany({
      data: Array.from({ length: CONTENTS }, (_, i) => ({
        ownerId: owner.id,
        title: `${WORDS[i % WORDS.length]} ${WORDS[(i * 7) % WORDS.length]} clip ${i}`,
        description: `A 360 video about ${WORDS[(i * 5) % WORDS.length]} number ${i}`,
        tags: [WORDS[i % WORDS.length]!, WORDS[(i * 3) % WORDS.length]!],
        status: 'ready' as const,
        visibility: 'public' as const,
        popularity: i,
        publishedAt: new Date(Date.now() - i * 60_000),
      })),
    });
  });
  after(() => t.close());

  test(
    `${REQUESTS} distinct searches from ${CONCURRENCY} connections: all answered, no 5xx, /healthz keeps answering`,
    { timeout: 180_000 },
    async (context) => {
      const statuses = new Map<number, number>();
      const searchMs: number[] = [];
      let next = 0;
      let flooding = true;
      const health: Array<{ status: number; ms: number }> = [];

      const prober = (async () => {
        while (flooding) {
          const began = performance.now();
          const response = await fetch(`${t.url}/healthz`);
          await response.arrayBuffer();
          health.push({ status: response.status, ms: performance.now() - began });
          await new Promise((resolve) => setTimeout(resolve, 50));
        }
      })();

      const began = performance.now();
      const worker = async () => {
        while (next < REQUESTS) {
          const i = next;
          next += 1;
          const sorts = ['relevance', 'popular', 'newest'];
          const query = `q=${encodeURIComponent(`${WORDS[i % WORDS.length]} ${i}`)}&sort=${sorts[i % 3]}&limit=20`;
          const start = performance.now();
          const response = await fetch(`${t.url}/api/search?${query}`);
          await response.arrayBuffer();
          searchMs.push(performance.now() - start);
          statuses.set(response.status, (statuses.get(response.status) ?? 0) + 1);
        }
      };
      await Promise.all(Array.from({ length: CONCURRENCY }, worker));
      const elapsedMs = performance.now() - began;
      flooding = false;
      await prober;

      const searchSorted = [...searchMs].sort((a, b) => a - b);
      const healthSorted = health.map((probe) => probe.ms).sort((a, b) => a - b);
      const figures = {
        kind,
        requests: REQUESTS,
        concurrency: CONCURRENCY,
        elapsedMs: Math.round(elapsedMs),
        searchesPerSecond: Math.round((REQUESTS / elapsedMs) * 1000),
        searchMs: { p50: Math.round(percentile(searchSorted, 50)), p95: Math.round(percentile(searchSorted, 95)), max: Math.round(searchSorted.at(-1) ?? 0) },
        healthz: {
          probes: health.length,
          p50: Math.round(percentile(healthSorted, 50)),
          p95: Math.round(percentile(healthSorted, 95)),
          max: Math.round(healthSorted.at(-1) ?? 0),
        },
        statuses: Object.fromEntries(statuses),
      };
      context.diagnostic(`search flood: ${JSON.stringify(figures)}`);

      assert.equal(searchMs.length, REQUESTS, 'every request was answered');
      assert.deepEqual(Object.fromEntries(statuses), { 200: REQUESTS }, 'every search answered 200 (no 5xx, no refusal)');
      assert.ok(health.length >= 3, `/healthz was probed during the flood (${health.length} probes)`);
      assert.ok(
        health.every((probe) => probe.status === 200),
        '/healthz answered 200 throughout',
      );
      // Generous: a health check must not wait behind the flood for seconds (measured p95 is far lower).
      assert.ok(figures.healthz.max < 5_000, `/healthz stayed under 5 s (max ${figures.healthz.max} ms)`);
    },
  );
});
