// A connection's swarm memberships: one peer (the common case, kept without a Set) and several,
// through joins, `stopped`, the swarm limit and the connection's close.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { binaryId, RawClient } from '../testing/raw-client.ts';
import { TrackerServer } from './tracker-server.ts';

describe("a connection's peers", () => {
  let tracker: TrackerServer;
  const clients: RawClient[] = [];

  before(async () => {
    tracker = new TrackerServer({ port: 0, host: '127.0.0.1', logLevel: 'silent', maxSwarmsPerConnection: 3 });
    await tracker.start();
  });

  after(async () => {
    for (const client of clients) client.close();
    await tracker.destroy();
  });

  async function connect(): Promise<RawClient> {
    const client = await RawClient.connect(tracker.url);
    clients.push(client);
    return client;
  }

  async function stop(client: RawClient, infoHash: string, peerId: string): Promise<void> {
    const from = client.messages.length;
    client.send({ action: 'announce', info_hash: infoHash, peer_id: peerId, event: 'stopped', numwant: 0 });
    await client.next((message) => client.messages.indexOf(message) >= from && 'interval' in message);
  }

  async function until(condition: () => boolean): Promise<void> {
    const deadline = Date.now() + 10_000;
    while (!condition()) {
      if (Date.now() > deadline) throw new Error(`still ${JSON.stringify({ peers: tracker.stats().peers, swarms: tracker.stats().swarms })}`);
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
  }

  it('keeps one peer, leaves with stopped, joins again and is released when the connection closes', async () => {
    const client = await connect();
    const [swarm, other, peer] = [binaryId('one-swarm'), binaryId('one-other'), binaryId('one-peer')];
    await client.join(swarm, peer);
    assert.equal(tracker.stats().peers, 1);
    await stop(client, swarm, peer);
    assert.equal(tracker.stats().peers, 0);
    assert.equal(tracker.stats().swarms, 0);
    await client.join(other, peer);
    assert.equal(tracker.stats().peers, 1);
    const left: string[] = [];
    tracker.on('peerLeft', ({ infoHash, reason }) => left.push(`${infoHash}:${reason}`));
    client.close();
    await until(() => tracker.stats().peers === 0 && tracker.stats().swarms === 0);
    assert.deepEqual(left, [`${Buffer.from(other, 'latin1').toString('hex')}:connection-closed`]);
  });

  it('counts one and several peers against the swarm limit, and releases them all on close', async () => {
    const client = await connect();
    const swarms = ['a', 'b', 'c', 'd'].map((name) => binaryId(`limit-${name}`));
    const peer = binaryId('limit-peer');
    for (const swarm of swarms.slice(0, 3)) await client.join(swarm, peer);
    assert.equal(tracker.stats().peers, 3);
    // Back to one, then up to the limit again: a slot freed by stopped is free.
    await stop(client, swarms[0]!, peer);
    await stop(client, swarms[1]!, peer);
    assert.equal(tracker.stats().peers, 1);
    await client.join(swarms[0]!, peer);
    await client.join(swarms[3]!, peer);
    assert.equal(tracker.stats().peers, 3);
    // A fourth swarm on the same connection is over the limit.
    client.send({ action: 'announce', info_hash: binaryId('limit-e'), peer_id: peer, event: 'started', numwant: 0 });
    assert.equal((await client.closed).reason, 'too-many-swarms');
    await until(() => tracker.stats().peers === 0 && tracker.stats().swarms === 0);
  });
});
