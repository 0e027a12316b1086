// Two tracker instances in one process, splitting swarms by a consistent-hash ring of the
// info_hash. Clients connect to either; the non-owner proxies, and clients change nothing.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { SimplePeer, TrackerScrape, TrackerUpdate } from 'bittorrent-tracker/client';
import { TrackerServer } from '../server/tracker-server.ts';
import { createTrackerClient, nextEvent, peerIdHex, type TrackerClient } from '../testing/bittorrent-client.ts';
import { binaryId, RawClient, type TrackerMessage } from '../testing/raw-client.ts';
import { HashRing } from './hash-ring.ts';
import { freePort } from '@spherecast/shared/testing/net';

const SECRET = 'test-cluster-secret-0123456789';

describe('sharding over two instances', () => {
  let a: TrackerServer;
  let b: TrackerServer;
  let ring: HashRing;
  const clients: TrackerClient[] = [];
  const raws: RawClient[] = [];

  /** A binary info_hash the ring gives to `owner`. */
  function hashOwnedBy(owner: TrackerServer, seed: string): string {
    for (let i = 0; ; i++) {
      const candidate = binaryId(`${seed}-${i}-`);
      if (ring.ownerOf(candidate) === owner.config.self) return candidate;
    }
  }

  before(async () => {
    const [portA, portB] = [await freePort(), await freePort()];
    const clusterPeers = [`ws://127.0.0.1:${portA}`, `ws://127.0.0.1:${portB}`];
    const shared = { host: '127.0.0.1', clusterPeers, clusterSecret: SECRET, announceIntervalSeconds: 30 };
    a = new TrackerServer({ ...shared, port: portA, self: clusterPeers[0]! });
    b = new TrackerServer({ ...shared, port: portB, self: clusterPeers[1]! });
    await Promise.all([a.start(), b.start()]);
    ring = new HashRing(clusterPeers);
  });

  after(async () => {
    for (const raw of raws) raw.close();
    await Promise.all(clients.map((client) => client.shutdown()));
    await Promise.all([a.destroy(), b.destroy()]);
  });

  it('lets two bittorrent-tracker clients on different instances find each other and connect over WebRTC', async () => {
    const infoHashHex = Buffer.from(hashOwnedBy(a, 'webrtc'), 'latin1').toString('hex');
    // Alice talks to the owner; Bob to the other instance, which proxies him to the owner.
    const alice = createTrackerClient(a.url, infoHashHex, 'shard-alice');
    const bob = createTrackerClient(b.url, infoHashHex, 'shard-bob');
    clients.push(alice, bob);
    for (const client of [alice, bob]) client.on('warning', () => {});

    const aliceIn = nextEvent<TrackerUpdate>(alice, 'update');
    alice.start();
    await aliceIn;
    const bobIn = nextEvent<TrackerUpdate>(bob, 'update');
    const aliceSeesBob = nextEvent<SimplePeer>(alice, 'peer');
    const bobSeesAlice = nextEvent<SimplePeer>(bob, 'peer');
    bob.start();
    const reply = await bobIn;
    assert.equal(reply.incomplete, 2, 'Bob’s reply comes from the owner, which knows both peers');
    assert.equal(reply.interval, 30);
    const [atAlice, atBob] = await Promise.all([aliceSeesBob, bobSeesAlice]);
    assert.equal(atAlice.id, peerIdHex('shard-bob'));
    assert.equal(atBob.id, peerIdHex('shard-alice'));

    const received = nextEvent<Uint8Array>(atAlice, 'data');
    if (!atBob.connected) await nextEvent(atBob, 'connect');
    atBob.send('across instances');
    assert.equal(Buffer.from(await received).toString(), 'across instances');

    // The swarm lives only on its owner; the other instance only proxies.
    assert.equal(a.stats().swarms, 1);
    assert.equal(a.stats().peers, 2);
    assert.equal(b.stats().swarms, 0);
    assert.equal(b.stats().proxiedSwarms, 1);
    assert.equal(b.stats().upstreams, 1);

    const scraped = nextEvent<TrackerScrape>(bob, 'scrape');
    bob.scrape();
    assert.deepEqual(await scraped.then((s) => [s.complete, s.incomplete]), [0, 2]);
  });

  it('routes each swarm of one connection to its own owner, and cleans up on the owner when the client leaves', async () => {
    const onA = hashOwnedBy(a, 'mixed-a');
    const onB = hashOwnedBy(b, 'mixed-b');
    const client = await RawClient.connect(b.url);
    const watcher = await RawClient.connect(a.url);
    raws.push(client, watcher);
    const before = a.stats().peers;
    const upstreamsBefore = b.stats().upstreams;

    const replyA = await client.join(onA, binaryId('mixed-peer'));
    const replyB = await client.join(onB, binaryId('mixed-peer'));
    assert.equal(replyA['info_hash'], onA);
    assert.equal(replyB['info_hash'], onB);
    assert.equal(a.stats().peers, before + 1, 'the swarm owned by A holds the peer that connected to B');
    assert.equal(b.stats().upstreams, upstreamsBefore + 1, 'one upstream per owner per client connection');

    // One scrape spanning both owners is answered by each of them.
    client.send({ action: 'scrape', info_hash: [onA, onB] });
    const files: Record<string, TrackerMessage> = {};
    await client.next((message) => {
      if (message.action === 'scrape') Object.assign(files, message.files as Record<string, TrackerMessage>);
      return Object.keys(files).length === 2;
    });
    assert.equal(files[onA]?.['incomplete'], 1);
    assert.equal(files[onB]?.['incomplete'], 1);

    // A peer on A's side of the swarm gets the proxied client's offers, and its answer goes back.
    await watcher.join(onA, binaryId('watcher'));
    client.send({
      action: 'announce',
      info_hash: onA,
      peer_id: binaryId('mixed-peer'),
      numwant: 1,
      offers: [{ offer: { type: 'offer', sdp: 'v=0 fake' }, offer_id: binaryId('offer-1') }],
    });
    const offer = await watcher.next((message) => 'offer' in message);
    assert.equal(offer['peer_id'], binaryId('mixed-peer'));
    watcher.send({
      action: 'announce',
      info_hash: onA,
      peer_id: binaryId('watcher'),
      to_peer_id: binaryId('mixed-peer'),
      offer_id: binaryId('offer-1'),
      answer: { type: 'answer', sdp: 'v=0 fake answer' },
    });
    const answer = await client.next((message) => 'answer' in message);
    assert.deepEqual(answer['answer'], { type: 'answer', sdp: 'v=0 fake answer' });
    assert.equal(answer['offer_id'], binaryId('offer-1'));

    client.close();
    await client.closed;
    // Left: the watcher on A; the proxied peer is gone from A and the local one from B.
    await waitUntil(() => a.stats().peers === before + 1 && b.stats().peers === 0 && b.stats().upstreams === upstreamsBefore);
  });

  it('refuses an instance-to-instance connection with a wrong secret (HTTP 401)', async () => {
    await assert.rejects(RawClient.connect(a.url, { headers: { 'x-spherecast-tracker-secret': 'wrong' } }), /HTTP 401/);
  });
});

async function waitUntil(condition: () => boolean, timeoutMs = 3000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
