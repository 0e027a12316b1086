// Offers and answers with arbitrary binary ids and non-ASCII SDP text reach the other peer exactly
// as sent (the tracker relays them as bytes, see protocol/binary-string.ts).
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { RawClient } from '../testing/raw-client.ts';
import { TrackerServer } from './tracker-server.ts';

describe('relay of offers and answers', () => {
  let tracker: TrackerServer;
  const clients: RawClient[] = [];

  before(async () => {
    tracker = new TrackerServer({ port: 0, host: '127.0.0.1' });
    await tracker.start();
  });

  after(async () => {
    for (const client of clients) client.close();
    await tracker.destroy();
  });

  it('passes binary ids and non-ASCII SDP through unchanged, both ways', async () => {
    const infoHash = randomBytes(20).toString('latin1');
    const [aliceId, bobId, offerId] = [0, 1, 2].map(() => randomBytes(20).toString('latin1')) as [string, string, string];
    const alice = await RawClient.connect(tracker.url);
    const bob = await RawClient.connect(tracker.url);
    clients.push(alice, bob);
    await alice.join(infoHash, aliceId);

    const offer = { type: 'offer', sdp: 'v=0\r\ns=Café 360° \u2028 😀\r\na="quoted" \\ backslash\r\n', extra: { nested: [1, null, true] } };
    bob.send({ action: 'announce', info_hash: infoHash, peer_id: bobId, event: 'started', numwant: 1, offers: [{ offer, offer_id: offerId }] });
    const delivered = await alice.next((message) => 'offer' in message);
    assert.deepEqual(delivered, { action: 'announce', offer, offer_id: offerId, peer_id: bobId, info_hash: infoHash });

    const answer = { type: 'answer', sdp: 'v=0\r\ns=Ünïcødé\r\n' };
    alice.send({ action: 'announce', info_hash: infoHash, peer_id: aliceId, to_peer_id: bobId, offer_id: offerId, answer });
    const answered = await bob.next((message) => 'answer' in message);
    assert.deepEqual(answered, { action: 'announce', answer, offer_id: offerId, peer_id: aliceId, info_hash: infoHash });

    const reply = bob.messages.find((message) => 'interval' in message);
    assert.equal(reply?.['info_hash'], infoHash);
    assert.equal(reply?.['incomplete'], 2);
  });

  it('relays offers from a client that escapes its JSON differently', async () => {
    const infoHash = randomBytes(20).toString('latin1');
    const receiver = await RawClient.connect(tracker.url);
    const sender = await RawClient.connect(tracker.url);
    clients.push(receiver, sender);
    await receiver.join(infoHash, 'r'.repeat(20));
    // Pretty-printed, every non-ASCII character escaped: still the same JSON.
    const message = {
      action: 'announce',
      info_hash: infoHash,
      peer_id: 's'.repeat(20),
      numwant: 1,
      offers: [{ offer_id: 'o'.repeat(20), offer: { sdp: 'é' } }],
    };
    sender.send(JSON.stringify(message, null, 2).replace(/[\u0080-\uffff]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`));
    const delivered = await receiver.next((m) => 'offer' in m);
    assert.deepEqual(delivered['offer'], { sdp: 'é' });
    assert.equal(delivered['info_hash'], infoHash);
  });
});
