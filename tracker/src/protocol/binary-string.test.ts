import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, it } from 'node:test';
import { binaryToHex, hexToBinary, toWire, wireToBinaryId } from './binary-string.ts';

/** What the tracker sees of a JSON string value: the UTF-8 bytes of the frame, one char each. */
function onTheWire(value: string): string {
  return JSON.parse(Buffer.from(JSON.stringify({ value }), 'utf8').toString('latin1')).value as string;
}

describe('binary ids on the wire', () => {
  it('decodes ids whatever bytes they hold, as the bittorrent-tracker client writes them', () => {
    for (let i = 0; i < 200; i++) {
      const id = randomBytes(20).toString('latin1');
      assert.equal(wireToBinaryId(onTheWire(id)), id);
    }
    assert.equal(wireToBinaryId(onTheWire('-PM0203-abcdefghijkl')), '-PM0203-abcdefghijkl');
  });

  it('accepts \\u00XX escapes for bytes ≥ 0x80', () => {
    const id = '\u00e9'.repeat(20);
    const escaped = JSON.parse(Buffer.from(JSON.stringify(id).replace(/é/g, '\\u00e9')).toString('latin1')) as string;
    assert.equal(wireToBinaryId(escaped), id);
  });

  it('refuses ids that are not exactly 20 bytes, or hold characters above 0xff', () => {
    assert.equal(wireToBinaryId(onTheWire('x'.repeat(19))), null);
    assert.equal(wireToBinaryId(onTheWire('\u00ff'.repeat(21))), null);
    assert.equal(wireToBinaryId(onTheWire('\u0100'.repeat(20))), null);
    assert.equal(wireToBinaryId(onTheWire('😀'.repeat(10))), null);
    assert.equal(wireToBinaryId(42), null);
  });

  it('writes ids back as the same bytes', () => {
    const id = randomBytes(20).toString('latin1');
    assert.equal(Buffer.from(toWire(JSON.stringify(id)), 'latin1').toString('utf8'), JSON.stringify(id));
    assert.equal(hexToBinary(binaryToHex(id)), id);
  });
});
