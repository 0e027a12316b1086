import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createSelfSignedCert, type SelfSignedCert } from '../testing/self-signed-cert.ts';
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
    assert.equal(config.tls, null);
    assert.equal(config.opsPort, null);
    assert.equal(config.opsHost, null);
    assert.equal(config.opsToken, null);
    assert.equal(loadTrackerConfig({ TRACKER_OPS_PORT: '9100' }).opsHost, '127.0.0.1');
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
      TRACKER_OPS_PORT: '9100',
      TRACKER_OPS_HOST: '10.0.0.2',
      TRACKER_OPS_TOKEN: ' 0123456789abcdef0123 ',
    });
    assert.equal(config.port, 9000);
    assert.equal(config.opsPort, 9100);
    assert.equal(config.opsHost, '10.0.0.2');
    assert.equal(config.opsToken, '0123456789abcdef0123');
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
    assert.match(
      configError(() => loadTrackerConfig({ TRACKER_ALLOWED_ORIGINS: 'https://a.example/path' })).message,
      /TRACKER_ALLOWED_ORIGINS .*must be an origin/,
    );
    assert.match(configError(() => loadTrackerConfig({ TRACKER_ALLOWED_INFO_HASHES: 'abc' })).message, /TRACKER_ALLOWED_INFO_HASHES .*40 hexadecimal/);
    assert.match(configError(() => loadTrackerConfig({ TRACKER_TRUST_PROXY: 'maybe' })).message, /TRACKER_TRUST_PROXY must be a boolean/);
    assert.match(configError(() => loadTrackerConfig({ TRACKER_LOG_LEVEL: 'loud' })).message, /TRACKER_LOG_LEVEL/);
    assert.match(configError(() => loadTrackerConfig({ TRACKER_OPS_PORT: 'metrics' })).message, /TRACKER_OPS_PORT must be a number \(got "metrics"\)/);
    const shortToken = configError(() => loadTrackerConfig({ TRACKER_OPS_TOKEN: 'secret' }));
    assert.deepEqual(shortToken.settings, ['TRACKER_OPS_TOKEN']);
    assert.match(shortToken.message, /TRACKER_OPS_TOKEN must be at least 16 characters/);
    assert.match(
      configError(() => loadTrackerConfig({ TRACKER_OPS_TOKEN: 'has a space in it, too long' })).message,
      /TRACKER_OPS_TOKEN must be printable ASCII without spaces/,
    );
  });

  it('never repeats a secret in its messages', () => {
    for (const [name, value] of [
      ['TRACKER_OPS_TOKEN', 'hunter2'],
      ['TRACKER_CLUSTER_SECRET', 'hunter3'],
    ] as const) {
      const error = configError(() => loadTrackerConfig({ [name]: value }));
      assert.match(error.message, new RegExp(`${name} must be at least 16 characters`));
      assert.doesNotMatch(error.message, /hunter/);
    }
  });

  it('checks that the settings agree with each other', () => {
    assert.match(
      configError(() => loadTrackerConfig({ TRACKER_ANNOUNCE_INTERVAL: '300', TRACKER_IDLE_TIMEOUT: '200' })).message,
      /TRACKER_IDLE_TIMEOUT must be longer than TRACKER_ANNOUNCE_INTERVAL/,
    );
    const peers = 'ws://a.internal:8000,ws://b.internal:8000';
    assert.match(configError(() => loadTrackerConfig({ TRACKER_PEERS: peers, TRACKER_CLUSTER_SECRET: 'x'.repeat(16) })).message, /TRACKER_SELF is required/);
    assert.match(
      configError(() => loadTrackerConfig({ TRACKER_PEERS: peers, TRACKER_SELF: 'ws://c.internal:8000', TRACKER_CLUSTER_SECRET: 'x'.repeat(16) })).message,
      /TRACKER_SELF .* must be one of TRACKER_PEERS/,
    );
    assert.match(
      configError(() => loadTrackerConfig({ TRACKER_PEERS: peers, TRACKER_SELF: 'ws://a.internal:8000' })).message,
      /TRACKER_CLUSTER_SECRET is required/,
    );
    assert.match(
      configError(() => loadTrackerConfig({ TRACKER_PORT: '9000', TRACKER_OPS_PORT: '9000' })).message,
      /TRACKER_OPS_PORT must differ from TRACKER_PORT \(9000\)/,
    );
    assert.equal(loadTrackerConfig({ TRACKER_PORT: '0', TRACKER_OPS_PORT: '0' }).opsPort, 0);
    assert.match(
      configError(() => loadTrackerConfig({ TRACKER_OPS_HOST: '10.0.0.2' })).message,
      /TRACKER_OPS_HOST only applies with TRACKER_OPS_PORT: set TRACKER_OPS_PORT too/,
    );
    assert.match(configError(() => resolveTrackerConfig({ opsHost: '10.0.0.2' })).message, /opsHost only applies with opsPort/);
    // A resolved config is a valid partial: new TrackerServer(loadTrackerConfig(env)) resolves it again.
    const resolved = loadTrackerConfig({ TRACKER_OPS_PORT: '9100', TRACKER_OPS_HOST: '10.0.0.2' });
    assert.deepEqual({ ...resolveTrackerConfig(resolved) }, { ...resolved });
    assert.deepEqual({ ...resolveTrackerConfig(loadTrackerConfig({})) }, { ...loadTrackerConfig({}) });
  });
});

describe('TLS settings', () => {
  let pair: SelfSignedCert;
  let other: SelfSignedCert;

  before(async () => {
    [pair, other] = await Promise.all([createSelfSignedCert(), createSelfSignedCert('another')]);
  });

  after(async () => {
    await Promise.all([pair.remove(), other.remove()]);
  });

  it('reads the PEM files named by TRACKER_TLS_CERT and TRACKER_TLS_KEY', () => {
    const config = loadTrackerConfig({ TRACKER_TLS_CERT: pair.certPath, TRACKER_TLS_KEY: pair.keyPath });
    assert.equal(String(config.tls?.cert), pair.cert);
    assert.equal(String(config.tls?.key), pair.key);
  });

  it('needs both variables, readable files, and a key that belongs to the certificate', async () => {
    const onlyCert = configError(() => loadTrackerConfig({ TRACKER_TLS_CERT: pair.certPath }));
    assert.deepEqual(onlyCert.settings, ['TRACKER_TLS_KEY']);
    assert.match(onlyCert.message, /TRACKER_TLS_KEY is required when TRACKER_TLS_CERT is set/);
    assert.match(configError(() => loadTrackerConfig({ TRACKER_TLS_KEY: pair.keyPath })).message, /TRACKER_TLS_CERT is required when TRACKER_TLS_KEY is set/);

    const missing = configError(() => loadTrackerConfig({ TRACKER_TLS_CERT: '/nonexistent/cert.pem', TRACKER_TLS_KEY: pair.keyPath }));
    assert.deepEqual(missing.settings, ['TRACKER_TLS_CERT']);
    assert.match(missing.message, /TRACKER_TLS_CERT could not be read \(.*ENOENT.*\); set it to the path of a readable PEM file/);

    const notPem = path.join(path.dirname(pair.certPath), 'not-pem.txt');
    await writeFile(notPem, 'hello');
    const garbage = configError(() => loadTrackerConfig({ TRACKER_TLS_CERT: pair.certPath, TRACKER_TLS_KEY: notPem }));
    assert.deepEqual(garbage.settings, ['TRACKER_TLS_KEY']);
    assert.match(garbage.message, /TRACKER_TLS_KEY must be PEM text/);

    const mismatch = configError(() => loadTrackerConfig({ TRACKER_TLS_CERT: pair.certPath, TRACKER_TLS_KEY: other.keyPath }));
    assert.deepEqual(mismatch.settings, ['TRACKER_TLS_CERT / TRACKER_TLS_KEY']);
    assert.match(
      mismatch.message,
      /TRACKER_TLS_CERT \/ TRACKER_TLS_KEY could not be used \(.*\): give a PEM certificate and the unencrypted PEM private key that belongs to it/,
    );
  });

  it('takes tls from the overrides (PEM strings or Buffers) over the variables, and names it as a field', () => {
    const config = loadTrackerConfig(
      { TRACKER_TLS_CERT: '/nonexistent/cert.pem', TRACKER_TLS_KEY: '/nonexistent/key.pem' },
      { tls: { cert: Buffer.from(pair.cert), key: pair.key } },
    );
    assert.equal(String(config.tls?.cert), pair.cert);
    assert.match(
      configError(() => resolveTrackerConfig({ tls: { cert: pair.cert, key: other.key } })).message,
      /^Invalid tracker configuration: tls could not be used/,
    );
    assert.match(configError(() => resolveTrackerConfig({ tls: { cert: 'nope', key: pair.key } })).message, /tls\.cert must be PEM text/);
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
