import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { sha256Hex } from './sha256.ts';

const LENGTHS = [0, 1, 55, 56, 63, 64, 65, 119, 120, 1000, 250_000];

test('without crypto.subtle (an insecure context) the digest matches node:crypto across block boundaries', async () => {
  for (const length of LENGTHS) {
    const data = randomBytes(length);
    assert.equal(await sha256Hex(new Uint8Array(data), null), createHash('sha256').update(data).digest('hex'), `length ${length}`);
  }
});

test('with crypto.subtle the digest matches node:crypto, from an ArrayBuffer as the P2P loader hands it', async () => {
  assert.ok(globalThis.crypto.subtle, 'Node has Web Crypto');
  for (const length of LENGTHS) {
    const data = randomBytes(length);
    const buffer = data.buffer.slice(data.byteOffset, data.byteOffset + data.byteLength);
    assert.equal(await sha256Hex(buffer), createHash('sha256').update(data).digest('hex'), `length ${length}`);
  }
});

test('a changed byte changes the fallback digest', async () => {
  const data = new Uint8Array(randomBytes(4096));
  const before = await sha256Hex(data, null);
  data[2048] = data[2048]! ^ 1;
  assert.notEqual(await sha256Hex(data, null), before);
  assert.equal(await sha256Hex(data, null), createHash('sha256').update(data).digest('hex'));
});
