import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseRoute } from './router.tsx';
import { searchInputFromParams } from './catalog/search-page.tsx';

test('parseRoute maps every page and rejects unknown paths', () => {
  assert.deepEqual(parseRoute('/', ''), { name: 'home' });
  assert.deepEqual(parseRoute('/watch/abc', '?t=42'), { name: 'watch', id: 'abc', t: 42 });
  assert.deepEqual(parseRoute('/watch/abc', '?t=-3'), { name: 'watch', id: 'abc', t: null });
  assert.deepEqual(parseRoute('/content/abc', ''), { name: 'content', id: 'abc' });
  assert.deepEqual(parseRoute('/u/some%20one', ''), { name: 'profile', username: 'some one' });
  assert.deepEqual(parseRoute('/signin', '?next=%2Fwatch%2Fx'), { name: 'sign-in', next: '/watch/x' });
  assert.equal(parseRoute('/search', '?q=surf').name, 'search');
  assert.deepEqual(parseRoute('/watch', ''), { name: 'not-found', path: '/watch' });
  assert.deepEqual(parseRoute('/admin/x/y', ''), { name: 'not-found', path: '/admin/x/y' });
});

test('search filters come from the URL and invalid values are dropped', () => {
  const input = searchInputFromParams(new URLSearchParams('q=surf&tags=Sea, sunset,&genre=travel&projection=stereo-top-bottom&kind=video&sort=popular'));
  assert.deepEqual(input, { limit: 24, q: 'surf', tags: ['sea', 'sunset'], genre: 'travel', projection: 'stereo-top-bottom', kind: 'video', sort: 'popular' });
  assert.deepEqual(searchInputFromParams(new URLSearchParams('projection=cubemap&sort=random&kind=audio&near=abc')), { limit: 24 });
  assert.deepEqual(searchInputFromParams(new URLSearchParams('near=38.7,-9.1&radiusKm=50')), { limit: 24, near: '38.7,-9.1', radiusKm: 50 });
});
