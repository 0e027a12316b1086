import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { buildProfile, signalWeight, type Signal } from './preference-profile.ts';
import { bestReason } from './ranking.ts';

const signal = (contentId: string, tags: string[], genre: string | null, watchFraction: number | null, score: number | null, title = contentId): Signal => ({
  contentId,
  title,
  tags,
  genre,
  watchFraction,
  score,
  weight: signalWeight(watchFraction, score),
});

describe('preference profile', () => {
  test('watching counts by the fraction watched; a rating adds score − 3', () => {
    assert.equal(signalWeight(1, null), 1);
    assert.equal(signalWeight(0.25, null), 0.25);
    assert.equal(signalWeight(null, 5), 2);
    assert.equal(signalWeight(null, 3), 0);
    assert.equal(signalWeight(null, 1), -2);
    assert.equal(signalWeight(1, 1), -1, 'watched to the end and hated it still pushes away');
  });

  test('weights add up per tag and genre; neutral signals and cancelled weights drop out', () => {
    const profile = buildProfile([
      signal('a', ['surfing', 'ocean'], 'sport', 1, null),
      signal('b', ['surfing'], 'sport', 0.5, null),
      signal('c', ['city'], 'travel', null, 1),
      signal('d', ['ocean'], null, null, 3),
      signal('e', ['night'], 'travel', 1, 2),
    ]);
    assert.deepEqual(Object.fromEntries(profile.tags), { surfing: 1.5, ocean: 1, city: -2 });
    assert.deepEqual(Object.fromEntries(profile.genres), { sport: 1.5, travel: -2 });
    assert.deepEqual(
      profile.signals.map((s) => s.contentId),
      ['a', 'b', 'c'],
    );
  });

  test('the reason names the engaged content that overlaps the pick most', () => {
    const signals = [
      signal('s1', ['surfing', 'ocean'], 'sport', 1, null, 'Nazaré'),
      signal('s2', ['surfing'], null, 1, null, 'Peniche'),
      signal('c1', ['city', 'ocean'], 'travel', null, 1, 'Lisbon'),
      signal('r1', ['mountains'], null, null, 5, 'Alps'),
    ];
    assert.equal(bestReason({ id: 'x', tags: ['surfing', 'ocean'], genre: 'sport' }, signals), 'Because you watched Nazaré');
    assert.equal(bestReason({ id: 'y', tags: ['mountains'], genre: null }, signals), 'Because you rated Alps 5/5');
    assert.equal(bestReason({ id: 'z', tags: ['city'], genre: null }, signals), 'Picked for your interests');
  });
});
