import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseRoute } from '../router.tsx';

test('destination routes: the list and one destination; a shared watch link keeps its moment', () => {
  assert.deepEqual(parseRoute('/destinations', ''), { name: 'destinations' });
  assert.deepEqual(parseRoute('/destinations/abc', ''), { name: 'destination', id: 'abc' });
  assert.deepEqual(parseRoute('/destinations/abc/more', ''), { name: 'not-found', path: '/destinations/abc/more' });
  assert.deepEqual(parseRoute('/watch/abc', '?t=4&yaw=-30&pitch=15'), { name: 'watch', id: 'abc', t: 4 });
});
