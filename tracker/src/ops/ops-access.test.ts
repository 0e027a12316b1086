// Who may read GET /stats.json and GET /metrics: the operator token (TRACKER_OPS_TOKEN) and the
// separate operator port (TRACKER_OPS_PORT), through real servers on free ports.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { OPS_REFUSALS } from '../errors.ts';
import { TrackerServer } from '../server/tracker-server.ts';
import { httpGet } from '../testing/http-get.ts';
import { binaryId, RawClient } from '../testing/raw-client.ts';
import type { TrackerStats } from './stats.ts';

const TOKEN = 'test-operator-token-0123456789abcdef';

interface ErrorBody {
  error: { code: string; message: string };
}

describe('operator token', () => {
  let tracker: TrackerServer;
  const logLines: string[] = [];

  before(async () => {
    tracker = new TrackerServer({ port: 0, host: '127.0.0.1', opsToken: TOKEN, logLevel: 'warn', logSink: (line) => logLines.push(line) });
    await tracker.start();
  });

  after(() => tracker.destroy());

  it('refuses a request without a token with 401 and a body that says which header to send', async () => {
    for (const path of ['/stats.json', '/metrics']) {
      const response = await httpGet(`${tracker.opsUrl}${path}`);
      assert.equal(response.status, 401, path);
      assert.match(response.headers['content-type'] ?? '', /application\/json/);
      assert.equal(response.headers['www-authenticate'], 'Bearer realm="spherecast-tracker"');
      const body = JSON.parse(response.body) as ErrorBody;
      assert.equal(body.error.code, 'ops-token-missing');
      assert.equal(body.error.message, OPS_REFUSALS['ops-token-missing'].message);
      assert.match(body.error.message, /Authorization: Bearer <token>.*TRACKER_OPS_TOKEN/);
      assert.doesNotMatch(response.body, /swarms|spherecast_tracker/);
    }
    // Another scheme, or Bearer without a value, counts as missing.
    const basic = await httpGet(`${tracker.opsUrl}/stats.json`, { headers: { authorization: `Basic ${Buffer.from(`x:${TOKEN}`).toString('base64')}` } });
    assert.equal((JSON.parse(basic.body) as ErrorBody).error.code, 'ops-token-missing');
    const empty = await httpGet(`${tracker.opsUrl}/stats.json`, { headers: { authorization: 'Bearer ' } });
    assert.equal(empty.status, 401);
  });

  it('refuses a wrong token (also a prefix, a longer one and another case) with 401', async () => {
    for (const wrong of ['nope', TOKEN.slice(0, -1), `${TOKEN}x`, TOKEN.toUpperCase()]) {
      const response = await httpGet(`${tracker.opsUrl}/metrics`, { headers: { authorization: `Bearer ${wrong}` } });
      assert.equal(response.status, 401, wrong);
      const body = JSON.parse(response.body) as ErrorBody;
      assert.equal(body.error.code, 'ops-token-wrong');
      assert.match(body.error.message, /TRACKER_OPS_TOKEN/);
    }
    const refusals = logLines.map((line) => JSON.parse(line) as Record<string, unknown>).filter((record) => record.event === 'ops-request-refused');
    assert.ok(refusals.some((record) => record.reason === 'ops-token-wrong' && record.ip === '127.0.0.1' && record.path === '/metrics'));
    assert.ok(
      refusals.every((record) => !JSON.stringify(record).includes('nope')),
      'the given token is not logged',
    );
  });

  it('serves both endpoints with the right token (any case of "Bearer")', async () => {
    const stats = await httpGet(`${tracker.opsUrl}/stats.json`, { headers: { authorization: `Bearer ${TOKEN}` } });
    assert.equal(stats.status, 200);
    assert.equal((JSON.parse(stats.body) as TrackerStats).connections, 0);
    const metrics = await httpGet(`${tracker.opsUrl}/metrics`, { headers: { authorization: `bearer ${TOKEN}` } });
    assert.equal(metrics.status, 200);
    assert.match(metrics.body, /^spherecast_tracker_swarms 0$/m);
  });

  it('still accepts WebSocket clients without any token', async () => {
    const client = await RawClient.connect(tracker.url);
    const reply = await client.join(binaryId('swarm-token'), binaryId('peer-token'));
    assert.equal(reply.interval, tracker.config.announceIntervalSeconds);
    client.close();
    await client.closed;
  });
});

describe('separate operator port', () => {
  let tracker: TrackerServer;
  const logLines: string[] = [];

  before(async () => {
    tracker = new TrackerServer({ port: 0, host: '127.0.0.1', opsPort: 0, logLevel: 'info', logSink: (line) => logLines.push(line) });
    await tracker.start();
  });

  after(() => tracker.destroy());

  it('serves /stats.json and /metrics on the operator port, bound to loopback by default', async () => {
    assert.notEqual(tracker.opsPort, 0);
    assert.notEqual(tracker.opsPort, tracker.port);
    assert.equal(tracker.opsUrl, `http://127.0.0.1:${tracker.opsPort}`);
    const client = await RawClient.connect(tracker.url);
    await client.join(binaryId('swarm-ops'), binaryId('peer-ops'));
    const stats = await httpGet(`${tracker.opsUrl}/stats.json`);
    assert.equal(stats.status, 200);
    const parsed = JSON.parse(stats.body) as TrackerStats;
    assert.equal(parsed.swarms, 1);
    assert.equal(parsed.connections, 1);
    const metrics = await httpGet(`${tracker.opsUrl}/metrics`);
    assert.equal(metrics.status, 200);
    assert.match(metrics.body, /^spherecast_tracker_swarms 1$/m);
    client.close();
    await client.closed;
    const started = logLines.map((line) => JSON.parse(line) as Record<string, unknown>).find((record) => record.event === 'tracker-started');
    assert.equal(started?.opsUrl, tracker.opsUrl);
  });

  it('answers 404 for them on the public port, which keeps serving WebSockets', async () => {
    const publicBase = tracker.url.replace('ws://', 'http://');
    for (const path of ['/stats.json', '/metrics']) {
      const response = await httpGet(`${publicBase}${path}`);
      assert.equal(response.status, 404, path);
      assert.equal((JSON.parse(response.body) as ErrorBody).error.code, 'not-found');
      assert.doesNotMatch(response.body, /swarms|spherecast_tracker/);
    }
    const client = await RawClient.connect(tracker.url);
    assert.equal((await client.join(binaryId('swarm-public'), binaryId('peer-public'))).action, 'announce');
    client.close();
    await client.closed;
  });

  it('serves nothing else on the operator port: other paths are 404, WebSocket upgrades are refused', async () => {
    const other = await httpGet(`${tracker.opsUrl}/`);
    assert.equal(other.status, 404);
    await assert.rejects(RawClient.connect(tracker.opsUrl.replace('http://', 'ws://')), /HTTP 404/);
    const post = await httpGet(`${tracker.opsUrl}/metrics`, { method: 'POST' });
    assert.equal(post.status, 405);
  });

  it('closes the operator server on destroy()', async () => {
    const other = new TrackerServer({ port: 0, host: '127.0.0.1', opsPort: 0 });
    await other.start();
    const opsUrl = other.opsUrl;
    assert.equal((await httpGet(`${opsUrl}/metrics`)).status, 200);
    await other.destroy();
    await assert.rejects(httpGet(`${opsUrl}/metrics`), /ECONNREFUSED/);
  });

  it('needs the token there too when both are set', async () => {
    const both = new TrackerServer({ port: 0, host: '127.0.0.1', opsPort: 0, opsToken: TOKEN });
    await both.start();
    try {
      assert.equal((await httpGet(`${both.opsUrl}/stats.json`)).status, 401);
      assert.equal((await httpGet(`${both.opsUrl}/stats.json`, { headers: { authorization: `Bearer ${TOKEN}` } })).status, 200);
    } finally {
      await both.destroy();
    }
  });
});

describe('operator endpoints exposed without protection', () => {
  it('logs a warning when they are public on a non-loopback interface without a token', async () => {
    const lines: string[] = [];
    const open = new TrackerServer({ port: 0, host: '0.0.0.0', logLevel: 'warn', logSink: (line) => lines.push(line) });
    await open.start();
    await open.destroy();
    const warning = lines.map((line) => JSON.parse(line) as Record<string, unknown>).find((record) => record.event === 'ops-endpoints-public');
    assert.equal(warning?.level, 'warn');
    assert.match(String(warning?.message), /TRACKER_OPS_TOKEN/);

    const quiet: string[] = [];
    const guarded = new TrackerServer({ port: 0, host: '0.0.0.0', opsToken: TOKEN, logLevel: 'warn', logSink: (line) => quiet.push(line) });
    await guarded.start();
    await guarded.destroy();
    assert.ok(!quiet.some((line) => line.includes('ops-endpoints-public')));
  });
});
