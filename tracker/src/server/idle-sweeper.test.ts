// The idle sweep walks its connections a slice at a time (one step never walks all of them).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { IdleSweeper } from './idle-sweeper.ts';

describe('IdleSweeper', () => {
  it('spends at most its budget per step and visits every entry once per round', () => {
    const entries = new Set(Array.from({ length: 1000 }, (_, i) => i));
    const visits = new Map<number, number>();
    let inStep = 0;
    const sweeper = new IdleSweeper(entries, (entry) => {
      inStep++;
      visits.set(entry, (visits.get(entry) ?? 0) + 1);
      return 1;
    });
    const perStep: number[] = [];
    let ended = false;
    while (!ended) {
      inStep = 0;
      ended = sweeper.step(100);
      perStep.push(inStep);
    }
    assert.ok(
      perStep.every((count) => count <= 100),
      `visits per step: ${perStep.join(', ')}`,
    );
    assert.equal(visits.size, 1000);
    assert.ok([...visits.values()].every((count) => count === 1));
  });

  it('counts the cost each visit reports against the budget', () => {
    const entries = new Set(Array.from({ length: 100 }, (_, i) => i));
    const seen: number[] = [];
    const sweeper = new IdleSweeper(entries, (entry) => {
      seen.push(entry);
      return 11; // a connection and its 10 peers
    });
    sweeper.step(50);
    assert.equal(seen.length, 5);
  });

  it('skips entries removed mid-round, reaches entries added mid-round, and lets a visit remove its own entry', () => {
    const entries = new Set([1, 2, 3, 4, 5, 6]);
    const seen: number[] = [];
    const sweeper = new IdleSweeper(entries, (entry) => {
      seen.push(entry);
      if (entry % 2 === 0) entries.delete(entry); // an idle connection closed by the sweep
      return 1;
    });
    assert.equal(sweeper.step(2), false);
    entries.delete(3);
    entries.add(7);
    assert.equal(sweeper.step(100), true);
    assert.deepEqual(seen, [1, 2, 4, 5, 6, 7]);
    assert.deepEqual([...entries], [1, 5, 7]);
    seen.length = 0;
    sweeper.step(100);
    assert.deepEqual(seen, [1, 5, 7]);
  });
});
