import assert from 'node:assert/strict';
import { test } from 'node:test';
import { SearchCache } from './search-cache.ts';

const tick = () => new Promise((resolve) => setTimeout(resolve, 5));

test('concurrent identical searches share one load, and the page is reused while fresh', async () => {
  let time = 0;
  let loads = 0;
  const cache = new SearchCache<number>(1000, 0, 10, () => time);
  const load = async () => {
    loads += 1;
    await tick();
    return loads;
  };
  const results = await Promise.all([cache.get('q=a', load), cache.get('q=a', load), cache.get('q=a', load)]);
  assert.deepEqual(results, [1, 1, 1]);
  time = 999;
  assert.equal(await cache.get('q=a', load), 1);
  time = 1000;
  assert.equal(await cache.get('q=a', load), 2, 'expired and no stale window: reloaded');
  assert.equal(loads, 2);
});

test('a stale page is served at once while exactly one background refresh replaces it', async () => {
  let time = 0;
  let loads = 0;
  const cache = new SearchCache<number>(1000, 5000, 10, () => time);
  const load = async () => {
    loads += 1;
    await tick();
    return loads;
  };
  assert.equal(await cache.get('q', load), 1);
  time = 2000;
  assert.equal(await cache.get('q', load), 1, 'stale value, immediately');
  assert.equal(await cache.get('q', load), 1, 'no second refresh while one runs');
  await tick();
  await tick();
  assert.equal(await cache.get('q', load), 2, 'refreshed value');
  assert.equal(loads, 2);
  time = 2000 + 1000 + 5000;
  assert.equal(await cache.get('q', load), 3, 'past the stale window: waits for a fresh load');
});

test('invalidate drops every page at once, and a refresh started before it is discarded', async () => {
  let time = 0;
  let loads = 0;
  const cache = new SearchCache<number>(1000, 5000, 10, () => time);
  const load = async () => {
    loads += 1;
    await tick();
    return loads;
  };
  await cache.get('x', load);
  time = 1500;
  await cache.get('x', load); // starts a refresh
  cache.invalidate();
  await tick();
  await tick();
  assert.equal(await cache.get('x', load), 3, 'the pre-invalidation refresh (2) was not kept');
});

test('a failed load is not cached', async () => {
  const cache = new SearchCache<number>(60_000);
  await assert.rejects(cache.get('x', () => Promise.reject(new Error('db down'))));
  assert.equal(await cache.get('x', () => Promise.resolve(7)), 7);
});

test('the oldest pages are evicted past the size bound, and ttl 0 disables caching', async () => {
  let loads = 0;
  const cache = new SearchCache<number>(60_000, 0, 2);
  const load = () => Promise.resolve(++loads);
  await cache.get('a', load);
  await cache.get('b', load);
  await cache.get('c', load);
  assert.equal(await cache.get('a', load), 4, 'a was evicted');
  const off = new SearchCache<number>(0);
  await off.get('a', load);
  await off.get('a', load);
  assert.equal(loads, 6);
});
