// The stock bittorrent-tracker client (the one p2p-media-loader v2 bundles), unchanged, against our
// tracker, with real WebRTC offers and answers from @roamhq/wrtc.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createTrackerClient, nextEvent, peerIdHex, type TrackerClient } from '../testing/bittorrent-client.ts';
import type { SimplePeer, TrackerScrape, TrackerUpdate } from 'bittorrent-tracker/client';
import { TrackerServer } from './tracker-server.ts';

const INTERVAL = 7;

describe('WebTorrent protocol with the bittorrent-tracker client', () => {
  let tracker: TrackerServer;
  const clients: TrackerClient[] = [];
  const client = (infoHash: string, name: string): TrackerClient => {
    const created = createTrackerClient(tracker.url, infoHash, name);
    created.on('warning', () => {});
    clients.push(created);
    return created;
  };

  before(async () => {
    tracker = new TrackerServer({ port: 0, host: '127.0.0.1', announceIntervalSeconds: INTERVAL });
    await tracker.start();
  });

  after(async () => {
    await Promise.all(clients.map((c) => c.shutdown()));
    await tracker.destroy();
  });

  it('answers an announce with the configured interval and the swarm counts', async () => {
    const alice = client('01'.repeat(20), 'interval-alice');
    const update = nextEvent<TrackerUpdate>(alice, 'update');
    alice.start();
    const reply = await update;
    assert.equal(reply.interval, INTERVAL);
    assert.equal(reply.incomplete, 1);
    assert.equal(reply.complete, 0);
    assert.equal(reply.infoHash, '01'.repeat(20));
  });

  it('passes offers to the swarm and answers back, so two clients open a WebRTC data channel', async () => {
    // Bytes ≥ 0x80 travel as two-byte UTF-8 characters inside the JSON.
    const infoHash = 'c3a9fe80'.repeat(5);
    const alice = client(infoHash, 'relay-alice');
    const bob = client(infoHash, 'relay-bob');
    const joined: string[] = [];
    tracker.on('peerJoined', (event) => {
      if (event.infoHash === infoHash) joined.push(event.peerId);
    });

    const aliceIn = nextEvent<TrackerUpdate>(alice, 'update');
    alice.start();
    await aliceIn;
    // Bob's announce carries an offer; the tracker hands it to Alice, whose answer goes back to Bob.
    const aliceSeesBob = nextEvent<SimplePeer>(alice, 'peer');
    const bobSeesAlice = nextEvent<SimplePeer>(bob, 'peer');
    bob.start();
    const [atAlice, atBob] = await Promise.all([aliceSeesBob, bobSeesAlice]);
    assert.equal(atAlice.id, peerIdHex('relay-bob'));
    assert.equal(atBob.id, peerIdHex('relay-alice'));

    const message = nextEvent<Uint8Array>(atBob, 'data');
    if (!atAlice.connected) await nextEvent(atAlice, 'connect');
    atAlice.send('hello over the data channel');
    assert.equal(Buffer.from(await message).toString(), 'hello over the data channel');
    assert.deepEqual(joined, [peerIdHex('relay-alice'), peerIdHex('relay-bob')]);
    assert.ok(tracker.stats().totals.offersRelayed >= 1);
    assert.ok(tracker.stats().totals.answersRelayed >= 1);
  });

  it('counts a completed peer as a seeder and reports it in scrape', async () => {
    const infoHash = '03'.repeat(20);
    const seeder = client(infoHash, 'scrape-seeder');
    const leecher = client(infoHash, 'scrape-leecher');
    for (const peer of [seeder, leecher]) {
      const joined = nextEvent<TrackerUpdate>(peer, 'update');
      peer.start();
      await joined;
    }
    const completed = nextEvent<TrackerUpdate>(seeder, 'update', (update) => update.complete === 1);
    seeder.complete();
    const reply = await completed;
    assert.equal(reply.incomplete, 1);

    const scraped = nextEvent<TrackerScrape>(leecher, 'scrape');
    leecher.scrape();
    const scrape = await scraped;
    assert.equal(scrape.infoHash, infoHash);
    assert.deepEqual([scrape.complete, scrape.incomplete, scrape.downloaded], [1, 1, 1]);
  });

  it('removes a peer that announces stopped', async () => {
    const infoHash = '04'.repeat(20);
    const staying = client(infoHash, 'stop-staying');
    const leaving = client(infoHash, 'stop-leaving');
    for (const peer of [staying, leaving]) {
      const joined = nextEvent<TrackerUpdate>(peer, 'update');
      peer.start();
      await joined;
    }
    const events: string[] = [];
    tracker.on('peerLeft', (event) => {
      if (event.infoHash === infoHash) events.push(`${event.peerId}:${event.reason}`);
    });
    const stopped = nextEvent<TrackerUpdate>(leaving, 'update', (update) => update.incomplete === 1);
    leaving.stop();
    await stopped;
    assert.deepEqual(events, [`${peerIdHex('stop-leaving')}:stopped`]);

    const scraped = nextEvent<TrackerScrape>(staying, 'scrape');
    staying.scrape();
    assert.equal((await scraped).incomplete, 1);
  });
});
