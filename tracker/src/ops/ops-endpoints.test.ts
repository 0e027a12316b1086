// GET /stats.json, GET /metrics and the JSON log lines, read through a real HTTP server.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { TrackerServer } from '../server/tracker-server.ts';
import { binaryId, RawClient } from '../testing/raw-client.ts';
import type { TrackerStats } from './stats.ts';

describe('operator endpoints', () => {
  let tracker: TrackerServer;
  let httpBase: string;
  const logLines: string[] = [];
  const clients: RawClient[] = [];

  before(async () => {
    tracker = new TrackerServer({ port: 0, host: '127.0.0.1', logLevel: 'info', logSink: (line) => logLines.push(line) });
    await tracker.start();
    httpBase = tracker.url.replace('ws://', 'http://');
    // Two swarms: one with a seeder and a leecher, one with a leecher; one bad connection.
    const seeder = await RawClient.connect(tracker.url);
    const leecher = await RawClient.connect(tracker.url);
    const bad = await RawClient.connect(tracker.url);
    clients.push(seeder, leecher, bad);
    await seeder.join(binaryId('swarm-1'), binaryId('seeder'), { left: 0 });
    await leecher.join(binaryId('swarm-1'), binaryId('leecher'));
    await leecher.join(binaryId('swarm-2'), binaryId('leecher'));
    bad.send('not json');
    await bad.closed;
  });

  after(async () => {
    for (const client of clients) client.close();
    await tracker.destroy();
  });

  it('serves GET /stats.json with swarms, peers, message rate and memory', async () => {
    const response = await fetch(`${httpBase}/stats.json`);
    assert.equal(response.status, 200);
    assert.match(response.headers.get('content-type') ?? '', /application\/json/);
    const stats = (await response.json()) as TrackerStats;
    assert.equal(stats.swarms, 2);
    assert.equal(stats.peers, 3);
    assert.equal(stats.seeders, 1);
    assert.equal(stats.leechers, 2);
    assert.equal(stats.connections, 2);
    assert.equal(stats.totals.announces, 3);
    assert.equal(stats.totals.messages, 4);
    assert.equal(stats.totals.protocolViolations['malformed-json'], 1);
    assert.equal(typeof stats.messagesPerSecond, 'number');
    assert.ok(stats.memory.rssBytes > 0 && stats.memory.heapUsedBytes > 0);
  });

  it('serves GET /metrics in the Prometheus text format', async () => {
    const response = await fetch(`${httpBase}/metrics`);
    assert.equal(response.status, 200);
    assert.match(response.headers.get('content-type') ?? '', /^text\/plain; version=0\.0\.4/);
    const text = await response.text();
    assert.match(text, /^# TYPE spherecast_tracker_swarms gauge$/m);
    assert.match(text, /^spherecast_tracker_swarms 2$/m);
    assert.match(text, /^spherecast_tracker_peers\{state="seeder"\} 1$/m);
    assert.match(text, /^spherecast_tracker_peers\{state="leecher"\} 2$/m);
    assert.match(text, /^spherecast_tracker_messages_total\{kind="announce"\} 3$/m);
    assert.match(text, /^spherecast_tracker_protocol_violations_total\{code="malformed-json"\} 1$/m);
    assert.match(text, /^spherecast_tracker_connections_closed_total\{reason="protocol-violation"\} 1$/m);
    assert.match(text, /^process_resident_memory_bytes \d+$/m);
    // Every sample line is `name{labels} value`.
    for (const line of text.trim().split('\n')) if (!line.startsWith('#')) assert.match(line, /^[a-z_]+(\{[a-z]+="[^"]*"\})? -?\d+(\.\d+)?(e[+-]?\d+)?$/);
  });

  it('answers other paths with a JSON 404 and other methods with 405', async () => {
    const missing = await fetch(`${httpBase}/announce`);
    assert.equal(missing.status, 404);
    assert.equal(((await missing.json()) as { error: { code: string } }).error.code, 'not-found');
    const post = await fetch(`${httpBase}/stats.json`, { method: 'POST' });
    assert.equal(post.status, 405);
  });

  it('writes one JSON object per line, filtered by level', () => {
    const records = logLines.map((line) => JSON.parse(line) as Record<string, unknown>);
    assert.ok(records.length >= 2);
    for (const record of records) {
      assert.ok(['info', 'warn', 'error'].includes(String(record.level)), `debug lines must be filtered out: ${JSON.stringify(record)}`);
      assert.equal(typeof record.time, 'string');
      assert.equal(typeof record.event, 'string');
    }
    assert.ok(records.some((record) => record.event === 'tracker-started'));
    const closed = records.find((record) => record.event === 'connection-closed');
    assert.equal(closed?.level, 'warn');
    assert.equal(closed?.reason, 'protocol-violation');
    assert.equal(closed?.detail, 'malformed-json');
  });
});
