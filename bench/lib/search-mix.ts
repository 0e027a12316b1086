// The bench's mix of searches (bench/search-bench.ts), shared with bench/search-cpu.ts.
import { searchInput } from '@spherecast/shared';
import { openDatabase } from '../../origin/src/index.ts';
import { QUERY_GENRES, QUERY_PLACES, QUERY_TAGS, QUERY_WORDS, rng } from './catalog-generator.ts';

/** The mix of searches viewers make: words, phrases, filters, places, sorts and second pages. */
export function queryMix(): string[] {
  const random = rng(7);
  const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)]!;
  const queries: string[] = [];
  for (let i = 0; i < 400; i += 1) {
    const kind = i % 8;
    if (kind <= 2) queries.push(`/api/search?q=${encodeURIComponent(pick(QUERY_WORDS))}`);
    else if (kind === 3) queries.push(`/api/search?q=${encodeURIComponent(`${pick(QUERY_WORDS)} ${pick(QUERY_WORDS)}`)}&sort=popular`);
    else if (kind === 4) queries.push(`/api/search?tags=${encodeURIComponent(pick(QUERY_TAGS))}&genre=${pick(QUERY_GENRES)}&sort=newest`);
    else if (kind === 5) {
      const [, lat, lon] = pick(QUERY_PLACES);
      queries.push(`/api/search?near=${lat},${lon}&radiusKm=50&sort=popular`);
    } else if (kind === 6) queries.push(`/api/search?sort=${pick(['popular', 'newest'])}&projection=${pick(['equirectangular-mono', 'stereo-top-bottom'])}`);
    else queries.push(`/api/search?q=${encodeURIComponent(pick(QUERY_WORDS))}&tags=${encodeURIComponent(pick(QUERY_TAGS))}`);
  }
  return queries;
}

/**
 * The bench's mix with its second pages, without an origin (for bench/search-cpu.ts run alone): the
 * cursors come from searchContent on the driver path, as the origin would give them.
 */
export async function queryMixWithPages(url: string): Promise<string[]> {
  const { searchContent } = await import('../../origin/src/domains/catalog/search.ts');
  const { MediaLinks, MediaUrlSigner } = await import('../../origin/src/core/media-links.ts');
  const database = await openDatabase({ kind: 'postgres', url });
  const links = new MediaLinks('http://origin.test', new MediaUrlSigner(Buffer.alloc(32, 7), 3600, () => new Date()));
  try {
    const queries = queryMix();
    const out = [...queries];
    for (const query of queries.slice(0, 60)) {
      const input = searchInput.parse(Object.fromEntries(new URL(query, 'http://x').searchParams));
      const { nextCursor } = await searchContent({ prisma: database.prisma, rawQuery: database.query }, input, links);
      if (nextCursor) out.push(`${query}&cursor=${nextCursor}`);
    }
    return out;
  } finally {
    await database.close();
  }
}
