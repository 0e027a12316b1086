import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { readyContent } from '../test-support/content-fixtures.ts';
import { testDatabaseKinds } from '../test-support/databases.ts';
import { startTestOrigin, type TestOrigin, type TestUser } from '../test-support/test-origin.ts';
import { withLinkPreview, type LinkPreview } from './link-preview.ts';

/**
 * The head's <meta> and <link> elements as a crawler reads them: attribute values with character
 * references decoded, and anything that escaped into markup (a <script>) counted.
 */
function readHead(html: string) {
  const head = /<head>([\s\S]*?)<\/head>/i.exec(html)?.[1] ?? html;
  const decode = (value: string) => value.replace(/&#(\d+);/g, (_, code: string) => String.fromCharCode(Number(code))).replace(/&amp;/g, '&');
  const meta = new Map<string, string>();
  for (const element of head.matchAll(/<meta\s+([^>]*?)\s*\/?>/gi)) {
    const attributes = new Map([...element[1]!.matchAll(/([a-z:-]+)="([^"]*)"/gi)].map((m) => [m[1]!.toLowerCase(), decode(m[2]!)]));
    const key = attributes.get('property') ?? attributes.get('name');
    if (key && attributes.has('content')) meta.set(key, attributes.get('content')!);
  }
  const title = decode(/<title>([^<]*)<\/title>/i.exec(head)?.[1] ?? '');
  return { meta, title, scripts: (head.match(/<script(?![^>]*type="module")/gi) ?? []).length };
}

// One database kind is enough here (the previews read two rows): PostgreSQL when it runs, else PGlite.
const kind = (await testDatabaseKinds()).at(-1)!;

describe(`link previews (${kind})`, () => {
  let t: TestOrigin;
  let maker: TestUser;
  const ids: Record<string, string> = {};
  before(async () => {
    t = await startTestOrigin(kind);
    maker = await t.user('maker');
    ids.tram = await readyContent(t, maker, {
      title: 'Tram 28 "at night" </title><script>alert(1)</script>',
      description: 'Through Alfama & Graça, <b>360°</b>.',
      location: { placeName: 'Lisbon', latitude: 38.71, longitude: -9.13 },
    });
    ids.secret = await readyContent(t, maker, { title: 'Secret rooftop', visibility: 'private' });
    ids.unlisted = await readyContent(t, maker, { title: 'Unlisted rooftop', visibility: 'unlisted' });
    ids.draft = await readyContent(t, maker, { title: 'Draft rooftop', status: 'draft' });
    for (const id of [ids.tram, ids.secret, ids.unlisted]) {
      await t.origin.services.prisma.content.update({ where: { id }, data: { posterFile: 'poster.jpg' } });
    }
    ids.lisbon = (
      await maker.caller.destinations.create({
        name: 'Lisbon',
        country: 'Portugal',
        latitude: 38.72,
        longitude: -9.14,
        description: 'Seven hills, one river.',
        coverContentId: ids.tram,
      })
    ).id;
  });
  after(() => t.close());

  const page = async (pathname: string) => {
    const response = await fetch(`${t.url}${pathname}`, { headers: { 'user-agent': 'facebookexternalhit/1.1' } });
    assert.equal(response.status, 200);
    assert.match(response.headers.get('content-type') ?? '', /^text\/html/);
    return readHead(await response.text());
  };

  test('a public watch page carries Open Graph and Twitter card tags with the poster, escaped', async () => {
    const { meta, title, scripts } = await page(`/watch/${ids.tram}?t=42.5&yaw=-30&pitch=10&utm=x`);
    assert.equal(scripts, 0, 'nothing from the title escaped into markup');
    const name = 'Tram 28 "at night" </title><script>alert(1)</script>';
    assert.equal(title, `${name} · Spherecast`);
    assert.equal(meta.get('og:title'), name);
    assert.equal(meta.get('og:description'), 'Through Alfama & Graça, <b>360°</b>.');
    assert.equal(meta.get('description'), 'Through Alfama & Graça, <b>360°</b>.');
    assert.equal(meta.get('og:type'), 'video.other');
    assert.equal(meta.get('og:url'), `${t.url}/watch/${ids.tram}?t=42.5&yaw=-30&pitch=10`, 'the shared moment is kept, other parameters are not');
    assert.equal(meta.get('og:image'), `${t.url}/media/${ids.tram}/p1/poster.jpg`);
    assert.equal(meta.get('twitter:card'), 'summary_large_image');
    assert.equal(meta.get('twitter:image'), meta.get('og:image'));
    assert.equal(meta.get('twitter:title'), name);
    const poster = await fetch(meta.get('og:image')!);
    assert.notEqual(poster.status, 403, 'the image is a public URL a crawler may fetch');
    await poster.body?.cancel();
  });

  test('a destination page is a website preview with its cover', async () => {
    const { meta, title } = await page(`/destinations/${ids.lisbon}`);
    assert.equal(title, 'Lisbon, Portugal · Spherecast');
    assert.equal(meta.get('og:type'), 'website');
    assert.equal(meta.get('og:title'), 'Lisbon, Portugal');
    assert.equal(meta.get('og:description'), 'Seven hills, one river.');
    assert.equal(meta.get('og:url'), `${t.url}/destinations/${ids.lisbon}`);
    assert.equal(meta.get('og:image'), `${t.url}/media/${ids.tram}/p1/poster.jpg`);
    assert.equal(meta.get('twitter:card'), 'summary_large_image');
  });

  test('the sitemap names destination pages for crawlers', async () => {
    const sitemap = await t.http('GET', '/sitemap.xml');
    assert.equal(sitemap.status, 200);
    assert.match(sitemap.body, new RegExp(`<loc>${t.url}/destinations/${ids.lisbon}</loc><lastmod>`));
  });

  test('a published public tour previews with the poster of its first scene; a draft tour gives none', async () => {
    const prisma = t.origin.services.prisma;
    const scenes = [{ id: 'start', contentId: ids.tram, title: 'Tram stop', hotspots: [] }];
    const tour = await prisma.tour.create({
      data: { ownerId: maker.id, title: 'Lisbon by tram', description: 'Hop on.', status: 'published', visibility: 'public', scenes },
      select: { id: true },
    });
    ids.draftTour = (await prisma.tour.create({ data: { ownerId: maker.id, title: 'Draft tour', scenes }, select: { id: true } })).id;
    const { meta } = await page(`/tours/${tour.id}`);
    assert.equal(meta.get('og:title'), 'Lisbon by tram');
    assert.equal(meta.get('og:type'), 'website');
    assert.equal(meta.get('og:url'), `${t.url}/tours/${tour.id}`);
    assert.equal(meta.get('og:image'), `${t.url}/media/${ids.tram}/p1/poster.jpg`);
  });

  test('private, unlisted and unpublished content, unknown ids and other pages give no preview', async () => {
    for (const pathname of [
      `/tours/${ids.draftTour}`,
      `/watch/${ids.secret}`,
      `/watch/${ids.unlisted}`,
      `/watch/${ids.draft}`,
      '/watch/0190a000-0000-7000-8000-000000000000',
      '/watch/not-an-id',
      '/search',
    ]) {
      const { meta, title } = await page(pathname);
      assert.equal(title, 'Spherecast', pathname);
      assert.ok(![...meta.keys()].some((key) => key.startsWith('og:') || key.startsWith('twitter:')), pathname);
    }
  });
});

describe('link preview tags on any page', () => {
  const preview: LinkPreview = {
    type: 'website',
    title: 'Lisbon',
    description: 'Seven hills & one river.',
    url: 'https://sc.example/destinations/x',
    image: null,
  };

  test('the app page keeps one description, replaced by the preview’s', () => {
    const html = '<!doctype html><html><head><title>Spherecast</title><meta name="description" content="360 video" /></head><body></body></html>';
    const { meta, title } = readHead(withLinkPreview(html, preview));
    assert.equal(title, 'Lisbon · Spherecast');
    assert.equal(meta.get('description'), 'Seven hills & one river.');
    assert.equal(withLinkPreview(html, preview).match(/name="description"/g)?.length, 1);
  });

  test('the placeholder page of an origin whose player is not built (or is being rebuilt) gets a description too', () => {
    const { meta } = readHead(withLinkPreview('<!doctype html><title>Spherecast</title><p>The player is not built.</p>', preview));
    assert.equal(meta.get('description'), 'Seven hills & one river.');
    assert.equal(meta.get('og:description'), 'Seven hills & one river.');
  });
});
