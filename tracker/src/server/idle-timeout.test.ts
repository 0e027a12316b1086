// The single sweep timer: peers that stop announcing and silent connections are removed.
import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import type { PeerLeftReason } from '../events.ts';
import { binaryId, RawClient } from '../testing/raw-client.ts';
import { TrackerServer } from './tracker-server.ts';

describe('idle timeout', () => {
  let tracker: TrackerServer;
  const clients: RawClient[] = [];

  afterEach(async () => {
    for (const client of clients.splice(0)) client.close();
    await tracker.destroy();
  });

  async function start(): Promise<TrackerServer> {
    // Announce every 0.3 s, forget after 0.6 s: the sweep runs every 150 ms.
    tracker = new TrackerServer({ port: 0, host: '127.0.0.1', announceIntervalSeconds: 0.3, idleTimeoutSeconds: 0.6 });
    await tracker.start();
    return tracker;
  }

  it('drops a peer that stopped announcing in one swarm while its connection stays busy in another', async () => {
    await start();
    const left: { infoHash: string; reason: PeerLeftReason }[] = [];
    tracker.on('peerLeft', ({ infoHash, reason }) => left.push({ infoHash, reason }));
    const client = await RawClient.connect(tracker.url);
    clients.push(client);
    await client.join(binaryId('quiet-swarm'), binaryId('peer'));
    await client.join(binaryId('busy-swarm'), binaryId('peer'));
    assert.equal(tracker.stats().peers, 2);
    for (let i = 0; i < 6; i++) {
      await new Promise((resolve) => setTimeout(resolve, 200));
      client.send({ action: 'announce', info_hash: binaryId('busy-swarm'), peer_id: binaryId('peer'), numwant: 0 });
    }
    assert.deepEqual(left, [{ infoHash: Buffer.from(binaryId('quiet-swarm'), 'latin1').toString('hex'), reason: 'idle' }]);
    assert.equal(tracker.stats().peers, 1);
    assert.equal(tracker.stats().swarms, 1);
    assert.ok(client.isOpen);
  });

  it('closes a connection that has been silent longer than the idle timeout and removes its peers', async () => {
    await start();
    const silent = await RawClient.connect(tracker.url);
    clients.push(silent);
    await silent.join(binaryId('swarm'), binaryId('sleeper'));
    assert.equal(tracker.stats().peers, 1);
    const started = Date.now();
    assert.deepEqual(await silent.closed, { code: 1001, reason: 'idle' });
    const waited = Date.now() - started;
    assert.ok(waited >= 450 && waited < 2000, `closed after ${waited} ms`);
    assert.equal(tracker.stats().peers, 0);
    assert.equal(tracker.stats().swarms, 0);
    assert.equal(tracker.stats().totals.connectionsClosed.idle, 1);
  });
});
