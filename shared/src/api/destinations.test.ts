import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { interestsSchema, parseSharedView, withSharedView } from './destinations.ts';

describe('shared view links (?t=…&yaw=…&pitch=…)', () => {
  test('reads the moment and direction; a missing, malformed or out-of-range value is ignored, not an error', () => {
    assert.deepEqual(parseSharedView('?t=42.5&yaw=-30&pitch=10'), { t: 42.5, yaw: -30, pitch: 10 });
    assert.deepEqual(parseSharedView('?yaw=180&pitch=-90'), { t: null, yaw: 180, pitch: -90 });
    assert.deepEqual(parseSharedView('?t=-1&yaw=181&pitch=abc'), { t: null, yaw: null, pitch: null });
    assert.deepEqual(parseSharedView('?t=&yaw=Infinity&pitch=1e400'), { t: null, yaw: null, pitch: null });
    assert.deepEqual(parseSharedView(''), { t: null, yaw: null, pitch: null });
  });

  test('writes them rounded to 0.1, replacing earlier ones and keeping other parameters', () => {
    assert.equal(
      withSharedView('https://x.test/watch/a?t=1&ref=mail', { t: 4.26, yaw: -29.96, pitch: 15 }),
      'https://x.test/watch/a?ref=mail&t=4.3&yaw=-30&pitch=15',
    );
    assert.equal(withSharedView('https://x.test/watch/a', { t: null, yaw: 10 }), 'https://x.test/watch/a?yaw=10');
    const link = withSharedView('https://x.test/watch/a', { t: 7, yaw: -45.5, pitch: 3.25 });
    assert.deepEqual(parseSharedView(new URL(link).search), { t: 7, yaw: -45.5, pitch: 3.3 });
  });

  test('interests are short lowercase tags, without duplicates, at most 10', () => {
    assert.deepEqual(interestsSchema.parse(['Rooftops', 'rooftops', ' surfing ']), ['rooftops', 'surfing']);
    assert.equal(interestsSchema.safeParse(Array.from({ length: 11 }, (_, i) => `t${i}`)).success, false);
    assert.equal(interestsSchema.safeParse(['<script>']).success, false);
  });
});
