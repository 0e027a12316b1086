import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { loadTrackerConfig, resolveTrackerConfig, TrackerConfigError, trackerDefaults } from './tracker-config.ts';

function configError(run: () => unknown): TrackerConfigError {
  try {
    run();
  } catch (error) {
    assert.ok(error instanceof TrackerConfigError, `expected TrackerConfigError, got ${String(error)}`);
    return error;
  }
  assert.fail('expected the configuration to be refused');
}

describe('loadTrackerConfig', () => {
  it('uses the documented defaults when no TRACKER_* variable is set', () => {
    const config = loadTrackerConfig({});
    assert.equal(config.port, 8000);
    assert.equal(config.host, '0.0.0.0');
    assert.equal(config.allowedOrigins, '*');
    assert.equal(config.announceIntervalSeconds, trackerDefaults.announceIntervalSeconds);
    assert.equal(config.idleTimeoutSeconds, 2 * 120 + 30);
    assert.equal(config.logLevel, 'info');
  });

  it('is quiet under NODE_ENV=test unless TRACKER_LOG_LEVEL says otherwise', () => {
    assert.equal(loadTrackerConfig({ NODE_ENV: 'test' }).logLevel, 'silent');
    assert.equal(loadTrackerConfig({ NODE_ENV: 'test', TRACKER_LOG_LEVEL: 'WARN' }).logLevel, 'warn');
  });

  it('reads every variable it documents', () => {
    const config = loadTrackerConfig({
      TRACKER_PORT: '9000',
      TRACKER_HOST: '127.0.0.1',
      TRACKER_ALLOWED_ORIGINS: 'https://spherecast.example, http://localhost:5173',
      TRACKER_ANNOUNCE_INTERVAL: '30',
      TRACKER_IDLE_TIMEOUT: '75',
      TRACKER_MAX_MESSAGE_BYTES: '32768',
      TRACKER_MAX_OFFERS: '5',
      TRACKER_MAX_SWARMS_PER_CONNECTION: '8',
      TRACKER_MAX_CONNECTIONS_PER_IP: '4',
      TRACKER_MAX_ANNOUNCES_PER_SECOND: '2.5',
      TRACKER_ALLOWED_INFO_HASHES: 'AA'.repeat(20),
      TRACKER_TRUST_PROXY: 'yes',
      TRACKER_PEERS: 'ws://10.0.0.1:8000/,ws://10.0.0.2:8000',
      TRACKER_SELF: 'ws://10.0.0.2:8000',
      TRACKER_CLUSTER_SECRET: 'a-long-enough-secret',
    });
    assert.equal(config.port, 9000);
    assert.equal(config.host, '127.0.0.1');
    assert.deepEqual(config.allowedOrigins, ['https://spherecast.example', 'http://localhost:5173']);
    assert.equal(config.announceIntervalSeconds, 30);
    assert.equal(config.idleTimeoutSeconds, 75);
    assert.equal(config.maxMessageBytes, 32768);
    assert.equal(config.maxOffersPerAnnounce, 5);
    assert.equal(config.maxSwarmsPerConnection, 8);
    assert.equal(config.maxConnectionsPerIp, 4);
    assert.equal(config.maxAnnouncesPerSecond, 2.5);
    assert.deepEqual(config.allowedInfoHashes, ['aa'.repeat(20)]);
    assert.equal(config.trustProxy, true);
    assert.deepEqual(config.clusterPeers, ['ws://10.0.0.1:8000', 'ws://10.0.0.2:8000']);
    assert.equal(config.self, 'ws://10.0.0.2:8000');
  });

  it('names the bad variable and the value it got', () => {
    const error = configError(() => loadTrackerConfig({ TRACKER_PORT: '80a' }));
    assert.deepEqual(error.settings, ['TRACKER_PORT']);
    assert.match(error.message, /TRACKER_PORT must be a number \(got "80a"\)/);
    assert.match(configError(() => loadTrackerConfig({ TRACKER_PORT: '70000' })).message, /TRACKER_PORT/);
    assert.match(configError(() => loadTrackerConfig({ TRACKER_ALLOWED_ORIGINS: 'https://a.example/path' })).message, /TRACKER_ALLOWED_ORIGINS .*must be an origin/);
    assert.match(configError(() => loadTrackerConfig({ TRACKER_ALLOWED_INFO_HASHES: 'abc' })).message, /TRACKER_ALLOWED_INFO_HASHES .*40 hexadecimal/);
    assert.match(configError(() => loadTrackerConfig({ TRACKER_TRUST_PROXY: 'maybe' })).message, /TRACKER_TRUST_PROXY must be a boolean/);
    assert.match(configError(() => loadTrackerConfig({ TRACKER_LOG_LEVEL: 'loud' })).message, /TRACKER_LOG_LEVEL/);
  });

  it('checks that the settings agree with each other', () => {
    assert.match(configError(() => loadTrackerConfig({ TRACKER_ANNOUNCE_INTERVAL: '300', TRACKER_IDLE_TIMEOUT: '200' })).message, /TRACKER_IDLE_TIMEOUT must be longer than TRACKER_ANNOUNCE_INTERVAL/);
    const peers = 'ws://a.internal:8000,ws://b.internal:8000';
    assert.match(configError(() => loadTrackerConfig({ TRACKER_PEERS: peers, TRACKER_CLUSTER_SECRET: 'x'.repeat(16) })).message, /TRACKER_SELF is required/);
    assert.match(configError(() => loadTrackerConfig({ TRACKER_PEERS: peers, TRACKER_SELF: 'ws://c.internal:8000', TRACKER_CLUSTER_SECRET: 'x'.repeat(16) })).message, /TRACKER_SELF .* must be one of TRACKER_PEERS/);
    assert.match(configError(() => loadTrackerConfig({ TRACKER_PEERS: peers, TRACKER_SELF: 'ws://a.internal:8000' })).message, /TRACKER_CLUSTER_SECRET is required/);
  });
});

describe('resolveTrackerConfig', () => {
  it('merges a partial config onto the defaults and names bad fields by their config name', () => {
    const config = resolveTrackerConfig({ port: 0, maxOffersPerAnnounce: 3 });
    assert.equal(config.port, 0);
    assert.equal(config.maxOffersPerAnnounce, 3);
    assert.equal(config.maxConnectionsPerIp, trackerDefaults.maxConnectionsPerIp);
    assert.match(configError(() => resolveTrackerConfig({ maxOffersPerAnnounce: 0 })).message, /maxOffersPerAnnounce/);
  });
});
