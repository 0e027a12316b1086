// Limits and bad input: each offending connection is closed or refused, and a bystander connection
// on the same tracker keeps being served.
import assert from 'node:assert/strict';
import { afterEach, describe, it } from 'node:test';
import type { TrackerConfig } from '../config/tracker-config.ts';
import { binaryId, RawClient, type TrackerMessage } from '../testing/raw-client.ts';
import { TrackerServer } from './tracker-server.ts';

const ORIGIN = 'https://watch.spherecast.test';
const SWARM = binaryId('swarm-a');

describe('limits and bad input', () => {
  const running: TrackerServer[] = [];
  const clients: RawClient[] = [];

  async function startTracker(config: Partial<TrackerConfig> = {}): Promise<TrackerServer> {
    const tracker = new TrackerServer({ port: 0, host: '127.0.0.1', allowedOrigins: [ORIGIN], ...config });
    await tracker.start();
    running.push(tracker);
    return tracker;
  }

  /** `origin: null` sends no Origin header, like a non-browser client. */
  async function connect(tracker: TrackerServer, origin: string | null = ORIGIN): Promise<RawClient> {
    const client = await RawClient.connect(tracker.url, origin === null ? {} : { origin });
    clients.push(client);
    return client;
  }

  /** A connection that joined a swarm before the misbehaviour and must still get replies after it. */
  async function bystander(tracker: TrackerServer): Promise<RawClient> {
    const client = await connect(tracker);
    await client.join(SWARM, binaryId('bystander'));
    return client;
  }

  async function assertStillServed(client: RawClient, tracker: TrackerServer): Promise<void> {
    assert.ok(client.isOpen, 'the bystander connection was closed');
    const reply = await client.join(SWARM, binaryId('bystander'));
    assert.equal(reply['incomplete'], 1);
    assert.equal(tracker.stats().peers, 1);
  }

  afterEach(async () => {
    for (const client of clients.splice(0)) client.close();
    await Promise.all(running.splice(0).map((tracker) => tracker.destroy()));
  });

  it('closes a connection that sends a message over maxMessageBytes (1009)', async () => {
    const tracker = await startTracker({ maxMessageBytes: 2048 });
    const ok = await bystander(tracker);
    const offender = await connect(tracker);
    offender.send({ action: 'announce', info_hash: SWARM, peer_id: binaryId('big'), padding: 'x'.repeat(4096) });
    assert.equal((await offender.closed).code, 1009);
    assert.equal(tracker.stats().totals.connectionsClosed['message-too-big'], 1);
    await assertStillServed(ok, tracker);
  });

  it('closes a connection that sends malformed JSON (1002)', async () => {
    const tracker = await startTracker();
    const ok = await bystander(tracker);
    const offender = await connect(tracker);
    offender.send('{"action":"announce",');
    assert.deepEqual(await offender.closed, { code: 1002, reason: 'protocol-violation' });
    assert.equal(tracker.stats().totals.protocolViolations['malformed-json'], 1);
    await assertStillServed(ok, tracker);
  });

  it('closes a connection whose info_hash or peer_id is not a 20-byte binary string, and drops its peers', async () => {
    const tracker = await startTracker();
    const ok = await bystander(tracker);
    const shortHash = await connect(tracker);
    await shortHash.join(binaryId('swarm-b'), binaryId('short'));
    assert.equal(tracker.stats().swarms, 2);
    shortHash.send({ action: 'announce', info_hash: 'too-short', peer_id: binaryId('short') });
    assert.equal((await shortHash.closed).code, 1002);
    assert.equal(tracker.stats().swarms, 1, 'the closed connection’s swarm is gone');

    const wideChars = await connect(tracker);
    wideChars.send({ action: 'announce', info_hash: SWARM, peer_id: '\u0100'.repeat(20) });
    assert.equal((await wideChars.closed).code, 1002);
    assert.equal(tracker.stats().totals.protocolViolations['invalid-info-hash'], 1);
    assert.equal(tracker.stats().totals.protocolViolations['invalid-peer-id'], 1);
    await assertStillServed(ok, tracker);
  });

  it('closes a connection that sends more offers than maxOffersPerAnnounce', async () => {
    const tracker = await startTracker({ maxOffersPerAnnounce: 3 });
    const ok = await bystander(tracker);
    const offender = await connect(tracker);
    const offers = Array.from({ length: 4 }, (_, i) => ({ offer: { type: 'offer', sdp: 'v=0' }, offer_id: binaryId(`offer${i}`) }));
    offender.send({ action: 'announce', info_hash: SWARM, peer_id: binaryId('greedy'), event: 'started', numwant: 4, offers });
    assert.equal((await offender.closed).code, 1002);
    assert.equal(tracker.stats().totals.protocolViolations['too-many-offers'], 1);
    assert.equal(ok.messages.filter((message) => 'offer' in message).length, 0, 'no offer was relayed');
    await assertStillServed(ok, tracker);
  });

  it('closes a connection that floods announces beyond maxAnnouncesPerSecond (1008)', async () => {
    const tracker = await startTracker({ maxAnnouncesPerSecond: 5 });
    const ok = await bystander(tracker);
    const offender = await connect(tracker);
    for (let i = 0; i < 40; i++) offender.send({ action: 'announce', info_hash: SWARM, peer_id: binaryId('flood'), numwant: 0 });
    assert.deepEqual(await offender.closed, { code: 1008, reason: 'rate-limited' });
    // The bucket holds 2 × 5 tokens: ten announces were answered before the cut.
    assert.equal(offender.messages.filter((message) => 'interval' in message).length, 10);
    await assertStillServed(ok, tracker);
  });

  it('closes a connection that joins more than maxSwarmsPerConnection swarms', async () => {
    const tracker = await startTracker({ maxSwarmsPerConnection: 2 });
    const ok = await bystander(tracker);
    const offender = await connect(tracker);
    await offender.join(binaryId('s1'), binaryId('hopper'));
    await offender.join(binaryId('s2'), binaryId('hopper'));
    offender.send({ action: 'announce', info_hash: binaryId('s3'), peer_id: binaryId('hopper'), event: 'started' });
    assert.deepEqual(await offender.closed, { code: 1008, reason: 'too-many-swarms' });
    assert.equal(tracker.stats().swarms, 1);
    await assertStillServed(ok, tracker);
  });

  it('refuses connections beyond maxConnectionsPerIp with HTTP 429 and accepts again once one closes', async () => {
    const tracker = await startTracker({ maxConnectionsPerIp: 3 });
    const ok = await bystander(tracker);
    const second = await connect(tracker);
    await connect(tracker);
    await assert.rejects(connect(tracker), /HTTP 429/);
    assert.equal(tracker.stats().totals.connectionsRejected['too-many-connections'], 1);
    second.close();
    await second.closed;
    await waitUntil(() => tracker.stats().connections === 2);
    await connect(tracker);
    await assertStillServed(ok, tracker);
  });

  it('refuses an upgrade from a page origin that is not allowed, or without an Origin, with HTTP 403', async () => {
    const tracker = await startTracker();
    const ok = await bystander(tracker);
    await assert.rejects(connect(tracker, 'https://evil.example'), /HTTP 403/);
    await assert.rejects(connect(tracker, null), /HTTP 403/);
    assert.equal(tracker.stats().totals.connectionsRejected['origin-not-allowed'], 2);
    await assertStillServed(ok, tracker);
  });

  it('refuses info_hashes the async predicate rejects (private swarms), and keeps message order while it decides', async () => {
    const checked: string[] = [];
    const tracker = await startTracker({
      isInfoHashAllowed: async (infoHash, context) => {
        checked.push(`${infoHash}@${context.origin}`);
        await new Promise((resolve) => setTimeout(resolve, 20));
        return infoHash !== Buffer.from(binaryId('private'), 'latin1').toString('hex');
      },
    });
    const ok = await connect(tracker);
    // Sent back to back: the scrape must be answered after the announce it follows.
    ok.send({ action: 'announce', info_hash: SWARM, peer_id: binaryId('bystander'), event: 'started', numwant: 0 });
    ok.send({ action: 'scrape', info_hash: SWARM });
    await ok.next((message) => message.action === 'scrape');
    assert.deepEqual(
      ok.messages.map((message) => message.action),
      ['announce', 'scrape'],
    );
    assert.deepEqual((ok.messages[1]!['files'] as Record<string, TrackerMessage>)[SWARM], { complete: 0, incomplete: 1, downloaded: 0 });

    const offender = await connect(tracker);
    offender.send({ action: 'announce', info_hash: binaryId('private'), peer_id: binaryId('snoop'), event: 'started' });
    const refusal = await offender.next((message) => 'failure reason' in message);
    assert.match(String(refusal['failure reason']), /not allowed/);
    assert.deepEqual(await offender.closed, { code: 1008, reason: 'info-hash-not-allowed' });
    assert.ok(checked.includes(`${Buffer.from(binaryId('private'), 'latin1').toString('hex')}@${ORIGIN}`));
    await assertStillServed(ok, tracker);
  });

  it('refuses info_hashes missing from allowedInfoHashes', async () => {
    const tracker = await startTracker({ allowedInfoHashes: [Buffer.from(SWARM, 'latin1').toString('hex')] });
    const ok = await bystander(tracker);
    const offender = await connect(tracker);
    offender.send({ action: 'announce', info_hash: binaryId('other'), peer_id: binaryId('snoop'), event: 'started' });
    assert.equal((await offender.closed).code, 1008);
    assert.equal(tracker.stats().totals.connectionsClosed['info-hash-not-allowed'], 1);
    await assertStillServed(ok, tracker);
  });

  it('does not let a second connection take over a peer_id already in the swarm', async () => {
    const tracker = await startTracker();
    const ok = await bystander(tracker);
    const impostor = await connect(tracker);
    impostor.send({ action: 'announce', info_hash: SWARM, peer_id: binaryId('bystander'), event: 'started' });
    const refusal = await impostor.next((message) => 'failure reason' in message);
    assert.match(String(refusal['failure reason']), /already announced/);
    await assertStillServed(ok, tracker);
  });

  it('lets a reconnected client take over its peer_id once the old connection has missed an announce', async () => {
    const tracker = await startTracker({ announceIntervalSeconds: 0.2, idleTimeoutSeconds: 30 });
    const reasons: string[] = [];
    tracker.on('peerLeft', ({ reason }) => reasons.push(reason));
    const stale = await connect(tracker);
    await stale.join(SWARM, binaryId('roamer'));
    await new Promise((resolve) => setTimeout(resolve, 300));
    const fresh = await connect(tracker);
    const reply = await fresh.join(SWARM, binaryId('roamer'));
    assert.equal(reply['incomplete'], 1, 'one peer: the new connection replaced the old');
    assert.deepEqual(reasons, ['replaced']);
    // Offers for the peer now reach the new connection.
    const other = await connect(tracker);
    other.send({
      action: 'announce',
      info_hash: SWARM,
      peer_id: binaryId('other'),
      event: 'started',
      numwant: 1,
      offers: [{ offer: { type: 'offer', sdp: 'v=0' }, offer_id: binaryId('o1') }],
    });
    await fresh.next((message) => 'offer' in message);
    assert.equal(stale.messages.filter((message) => 'offer' in message).length, 0);
  });
});

async function waitUntil(condition: () => boolean, timeoutMs = 3000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
