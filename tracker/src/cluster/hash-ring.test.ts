import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, it } from 'node:test';
import { HashRing } from './hash-ring.ts';

const nodes = ['ws://10.0.0.1:8000', 'ws://10.0.0.2:8000', 'ws://10.0.0.3:8000'];
const keys = Array.from({ length: 6000 }, () => randomBytes(20).toString('latin1'));

describe('HashRing', () => {
  it('gives every instance the same owner whatever the order of the node list', () => {
    const a = new HashRing(nodes);
    const b = new HashRing([...nodes].reverse());
    for (const key of keys) assert.equal(a.ownerOf(key), b.ownerOf(key));
  });

  it('spreads keys roughly evenly over the nodes', () => {
    const ring = new HashRing(nodes);
    const counts = new Map<string, number>();
    for (const key of keys) counts.set(ring.ownerOf(key), (counts.get(ring.ownerOf(key)) ?? 0) + 1);
    assert.equal(counts.size, nodes.length);
    for (const count of counts.values()) {
      assert.ok(count > keys.length / nodes.length / 1.5 && count < (keys.length / nodes.length) * 1.5, `unbalanced: ${[...counts.values()].join(', ')}`);
    }
  });

  it('moves only the removed node’s keys when a node leaves', () => {
    const full = new HashRing(nodes);
    const reduced = new HashRing(nodes.slice(0, 2));
    for (const key of keys) {
      const before = full.ownerOf(key);
      if (before !== nodes[2]) assert.equal(reduced.ownerOf(key), before);
    }
  });

  it('spreads p2p-media-loader style base64 info_hashes that differ in one character', () => {
    const ring = new HashRing(nodes);
    const owners = new Set(Array.from({ length: 60 }, (_, i) => ring.ownerOf(`AbCdEfGhIjKlMnOpQr${String(i).padStart(2, '0')}`)));
    assert.equal(owners.size, nodes.length);
  });
});
