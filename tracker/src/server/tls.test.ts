// The tracker over TLS (wss:// and https://), as a headset page served over HTTPS reaches it:
// a certificate made by the test, real WebSocket clients that trust it, a relayed offer and answer.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { loadTrackerConfig } from '../config/tracker-config.ts';
import type { TrackerStats } from '../ops/stats.ts';
import { httpGet } from '../testing/http-get.ts';
import { binaryId, RawClient } from '../testing/raw-client.ts';
import { createSelfSignedCert, type SelfSignedCert } from '../testing/self-signed-cert.ts';
import { TrackerServer } from './tracker-server.ts';

const TOKEN = 'tls-test-operator-token-0123456789';

describe('tracker over TLS', () => {
  let cert: SelfSignedCert;
  let tracker: TrackerServer;
  const clients: RawClient[] = [];

  before(async () => {
    cert = await createSelfSignedCert();
    // As the standalone tracker does: PEM file paths in TRACKER_TLS_CERT / TRACKER_TLS_KEY.
    const env = { NODE_ENV: 'test', TRACKER_TLS_CERT: cert.certPath, TRACKER_TLS_KEY: cert.keyPath, TRACKER_OPS_TOKEN: TOKEN };
    tracker = new TrackerServer(loadTrackerConfig(env, { port: 0, host: '127.0.0.1' }));
    await tracker.start();
  });

  after(async () => {
    for (const client of clients) client.close();
    await tracker.destroy();
    await cert.remove();
  });

  it('reports wss:// and https:// URLs', () => {
    assert.equal(tracker.secure, true);
    assert.equal(tracker.url, `wss://127.0.0.1:${tracker.port}`);
    assert.equal(tracker.urlFor('localhost'), `wss://localhost:${tracker.port}`);
    assert.equal(tracker.opsUrl, `https://127.0.0.1:${tracker.port}`);
  });

  it('relays an offer and its answer between two wss:// clients that trust the certificate', async () => {
    const infoHash = binaryId('tls-swarm');
    const first = await RawClient.connect(tracker.url, { ca: cert.cert });
    const second = await RawClient.connect(tracker.urlFor('localhost'), { ca: cert.cert });
    clients.push(first, second);
    const joined = await first.join(infoHash, binaryId('first'));
    assert.equal(joined.interval, tracker.config.announceIntervalSeconds);
    assert.equal(joined.incomplete, 1);

    const offer = { type: 'offer', sdp: 'v=0 tls offer é' };
    second.send({
      action: 'announce',
      info_hash: infoHash,
      peer_id: binaryId('second'),
      event: 'started',
      numwant: 1,
      offers: [{ offer_id: binaryId('offer-1'), offer }],
    });
    const received = await first.next((message) => message.offer !== undefined);
    assert.deepEqual(received.offer, offer);
    assert.equal(received.peer_id, binaryId('second'));

    const answer = { type: 'answer', sdp: 'v=0 tls answer' };
    first.send({ action: 'announce', info_hash: infoHash, peer_id: binaryId('first'), to_peer_id: binaryId('second'), offer_id: binaryId('offer-1'), answer });
    const delivered = await second.next((message) => message.answer !== undefined);
    assert.deepEqual(delivered.answer, answer);
    assert.equal(delivered.offer_id, binaryId('offer-1'));
  });

  it('serves /stats.json and /metrics over https behind the operator token', async () => {
    const refused = await httpGet(`${tracker.opsUrl}/stats.json`, { ca: cert.cert });
    assert.equal(refused.status, 401);
    const response = await httpGet(`${tracker.opsUrl}/stats.json`, { ca: cert.cert, headers: { authorization: `Bearer ${TOKEN}` } });
    assert.equal(response.status, 200);
    const stats = JSON.parse(response.body) as TrackerStats;
    assert.equal(stats.connections, 2);
    assert.equal(stats.swarms, 1);
    assert.equal(stats.totals.offersRelayed, 1);
    assert.equal(stats.totals.answersRelayed, 1);
    const metrics = await httpGet(`${tracker.opsUrl}/metrics`, { ca: cert.cert, headers: { authorization: `Bearer ${TOKEN}` } });
    assert.match(metrics.body, /^spherecast_tracker_peers\{state="leecher"\} 2$/m);
  });

  it('is real TLS: a client that does not trust the certificate, or speaks plain ws://, gets no connection', async () => {
    await assert.rejects(RawClient.connect(tracker.url), /self[- ]signed certificate/);
    await assert.rejects(RawClient.connect(tracker.url.replace('wss://', 'ws://')));
    await assert.rejects(httpGet(`${tracker.opsUrl}/metrics`), /self[- ]signed certificate/);
  });

  it('serves the operator endpoints over https on a separate port too', async () => {
    const separate = new TrackerServer({ port: 0, host: '127.0.0.1', opsPort: 0, tls: { cert: Buffer.from(cert.cert), key: Buffer.from(cert.key) } });
    await separate.start();
    try {
      assert.equal(separate.opsUrl, `https://127.0.0.1:${separate.opsPort}`);
      assert.equal((await httpGet(`${separate.opsUrl}/metrics`, { ca: cert.cert })).status, 200);
      assert.equal((await httpGet(`${separate.url.replace('wss://', 'https://')}/metrics`, { ca: cert.cert })).status, 404);
    } finally {
      await separate.destroy();
    }
  });
});
