import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { sha256Js, toHex } from './sha256.ts';

test('the JavaScript SHA-256 fallback matches node:crypto across block boundaries', () => {
  for (const length of [0, 1, 55, 56, 63, 64, 65, 119, 120, 1000, 250_000]) {
    const data = randomBytes(length);
    assert.equal(toHex(sha256Js(new Uint8Array(data))), createHash('sha256').update(data).digest('hex'), `length ${length}`);
  }
});
