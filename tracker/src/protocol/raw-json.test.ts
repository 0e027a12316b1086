import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, it } from 'node:test';
import { rawRelayValues } from './raw-json.ts';

/** The raw values must mean exactly what JSON.parse made of the same text. */
function assertMatchesParse(text: string): void {
  const parsed = JSON.parse(text) as { offers?: { offer?: unknown }[]; answer?: unknown };
  const raw = rawRelayValues(text);
  assert.ok(raw !== null, `scanner gave up on ${text.slice(0, 80)}`);
  assert.equal(raw.offers.length, parsed.offers?.length ?? 0);
  raw.offers.forEach((json, i) => assert.deepEqual(json === null ? undefined : JSON.parse(json), parsed.offers?.[i]?.offer));
  assert.deepEqual(raw.answer === null ? undefined : JSON.parse(raw.answer), parsed.answer);
}

describe('rawRelayValues', () => {
  it('finds each offer of a bittorrent-tracker announce, byte for byte', () => {
    const offers = [1, 2, 3].map((n) => ({
      offer: { type: 'offer', sdp: `v=0\r\no=- ${n} 2 IN IP4 127.0.0.1\r\n` },
      offer_id: randomBytes(20).toString('latin1'),
    }));
    const text = JSON.stringify({
      numwant: 3,
      event: 'started',
      action: 'announce',
      info_hash: randomBytes(20).toString('latin1'),
      peer_id: 'p'.repeat(20),
      offers,
    });
    const raw = rawRelayValues(text);
    assert.deepEqual(
      raw?.offers,
      offers.map((offer) => JSON.stringify(offer.offer)),
    );
    assert.equal(raw?.answer, null);
  });

  it('finds an answer', () => {
    const answer = { type: 'answer', sdp: 'v=0\r\na=setup:active\r\n' };
    assert.equal(rawRelayValues(JSON.stringify({ action: 'announce', answer, offer_id: 'x', to_peer_id: 'y' }))?.answer, JSON.stringify(answer));
  });

  it('is not fooled by braces, brackets, quotes and backslashes inside strings, or by whitespace', () => {
    assertMatchesParse(
      '{ "action" : "announce" ,\n "offers" : [ { "offer_id": "a\\"]}", "offer" : { "sdp" : "}]\\\\\\"{[" , "n": [1, {"x": null}] } } ,{"offer":{"a":"\\\\"}} ] , "answer" : {"sdp":"\\"}"} }',
    );
  });

  it('takes the last of duplicate keys, as JSON.parse does', () => {
    assertMatchesParse('{"offers":[{"offer":{"first":1}}],"offers":[{"offer":{"a":1},"offer":{"b":2}}],"answer":{"x":1},"answer":{"y":2}}');
  });

  it('gives up on keys written with escapes instead of guessing', () => {
    assert.deepEqual(rawRelayValues('{"off\\u0065rs":[{"offer":{}}]}')?.offers, []);
    assert.deepEqual(rawRelayValues('{"offers":[{"\\u006ffer":{}}]}')?.offers, [null]);
  });

  it('agrees with JSON.parse on random nested messages', () => {
    const alphabet = ['a', '"', '\\', '{', '}', '[', ']', ',', ':', ' ', '\n', 'é', '\u0000', '\u2028'];
    const randomString = (): string =>
      Array.from({ length: Math.floor(Math.random() * 12) }, () => alphabet[Math.floor(Math.random() * alphabet.length)]).join('');
    const randomValue = (depth: number): unknown => {
      const pick = Math.floor(Math.random() * (depth > 2 ? 4 : 6));
      if (pick === 0) return randomString();
      if (pick === 1) return Math.random() * 1000 - 500;
      if (pick === 2) return [true, false, null][Math.floor(Math.random() * 3)];
      if (pick === 3) return Math.floor(Math.random() * 10);
      if (pick === 4) return Array.from({ length: Math.floor(Math.random() * 4) }, () => randomValue(depth + 1));
      return Object.fromEntries(Array.from({ length: Math.floor(Math.random() * 4) }, () => [randomString(), randomValue(depth + 1)]));
    };
    for (let i = 0; i < 500; i++) {
      const message = {
        [randomString()]: randomValue(0),
        offers: Array.from({ length: Math.floor(Math.random() * 4) }, () => ({ [randomString()]: randomValue(1), offer: randomValue(0) })),
        answer: randomValue(0),
      };
      assertMatchesParse(JSON.stringify(message, null, Math.random() < 0.3 ? 2 : undefined));
    }
  });
});
