// Compressed JSON answers of every size arrive whole, through REST (/api) and tRPC (/trpc).
// Above the compressor's synchronous size (about 8 KiB here) it streams, and REST answers used to
// arrive empty: 200 with content-length 0.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startTestOrigin, type TestOrigin } from '../test-support/test-origin.ts';

describe('compressed API answers', () => {
  let t: TestOrigin;

  before(async () => {
    t = await startTestOrigin('pglite');
    const ownerId = (await t.user('quokka_fan')).id;
    await t.origin.services.prisma.content.createMany({
      data: Array.from({ length: 50 }, (_, i) => ({
        ownerId,
        status: 'ready' as const,
        visibility: 'public' as const,
        title: `Island walk ${i}`,
        description: 'A quokka crosses the path. '.repeat(40),
        popularity: i,
        publishedAt: new Date(Date.UTC(2026, 0, 1, 0, i)),
      })),
    });
  });
  after(() => t.close());

  const urls = () => ({
    small: `${t.url}/api/search?q=quokka&limit=2`,
    rest: `${t.url}/api/search?q=quokka&limit=50`,
    trpc: `${t.url}/trpc/search?input=${encodeURIComponent(JSON.stringify({ q: 'quokka', limit: 50 }))}`,
  });

  for (const kind of ['small', 'rest', 'trpc'] as const) {
    test(`${kind}: br and gzip decode to the identity answer`, async () => {
      const url = urls()[kind];
      const plain = await fetch(url, { headers: { 'accept-encoding': 'identity' } });
      assert.equal(plain.status, 200, await plain.clone().text());
      const expected = await plain.text();
      if (kind !== 'small') assert.ok(expected.length > 16 * 1024, `a large answer (${expected.length} bytes)`);
      for (const encoding of ['br', 'gzip']) {
        const response = await fetch(url, { headers: { 'accept-encoding': encoding } });
        assert.equal(response.status, 200);
        if (expected.length >= 1024) assert.equal(response.headers.get('content-encoding'), encoding);
        assert.equal(await response.text(), expected, `${kind} with ${encoding}`);
      }
    });
  }
});
