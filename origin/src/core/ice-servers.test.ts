import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { test } from 'node:test';
import { ConfigError, loadOriginConfig } from './config.ts';
import { iceServersFor, turnRestCredential } from './ice-servers.ts';

const SECRET = 'a-shared-secret-of-coturn-0123456789';
const NOW = new Date('2026-12-01T10:00:00.000Z');

/** HMAC-SHA1 computed by the openssl command line, not by Node: what coturn checks a credential against. */
function opensslHmacBase64(secret: string, message: string): string {
  const digest = execFileSync('openssl', ['dgst', '-sha1', '-hmac', secret, '-binary'], { input: message });
  return digest.toString('base64');
}

test('a TURN credential is base64(HMAC-SHA1(secret, username)) as openssl computes it, with the expiry in the username', () => {
  const { username, credential, expiresAt } = turnRestCredential(SECRET, '0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b', 3600, NOW);
  const expiry = NOW.getTime() / 1000 + 3600;
  assert.equal(username, `${expiry}:0190a1b2-c3d4-7e5f-8a9b-0c1d2e3f4a5b`);
  assert.equal(expiresAt.toISOString(), '2026-12-01T11:00:00.000Z');
  assert.equal(credential, opensslHmacBase64(SECRET, username));
  assert.notEqual(credential, opensslHmacBase64('another-secret-of-sixteen+', username), 'the credential depends on the secret');
});

test('a viewer id with a colon (which coturn would split at) is refused', () => {
  assert.throws(() => turnRestCredential(SECRET, 'a:b', 60, NOW), /TURN viewer id/);
});

test('by default the origin hands out no ICE servers', () => {
  const config = loadOriginConfig({});
  assert.deepEqual(config.ice, { stunUrls: [], turnUrls: [], turnSecret: undefined, turnTtlSeconds: 3600, relayPolicy: 'fallback' });
  assert.deepEqual(iceServersFor(config.ice, 'viewer', NOW), []);
});

test('configured STUN and TURN: STUN as is, TURN with a per-viewer credential that expires after TURN_TTL_SECONDS, never the secret', () => {
  const config = loadOriginConfig({
    STUN_URLS: 'stun:turn.example.com:3478, stun:[2001:db8::1]',
    TURN_URLS: 'turn:turn.example.com:3478?transport=udp,turns:turn.example.com:5349',
    TURN_SECRET: SECRET,
    TURN_TTL_SECONDS: '600',
  });
  const servers = iceServersFor(config.ice, 'viewer-1', NOW);
  assert.equal(servers.length, 2);
  assert.deepEqual(servers[0], { urls: ['stun:turn.example.com:3478', 'stun:[2001:db8::1]'] });
  const turn = servers[1];
  assert.deepEqual(turn?.urls, ['turn:turn.example.com:3478?transport=udp', 'turns:turn.example.com:5349']);
  assert.equal(turn?.username, `${NOW.getTime() / 1000 + 600}:viewer-1`);
  assert.equal(turn?.credential, opensslHmacBase64(SECRET, turn?.username ?? ''));
  assert.ok(!JSON.stringify(servers).includes(SECRET));
  assert.notEqual(iceServersFor(config.ice, 'viewer-2', NOW)[1]?.credential, turn?.credential, 'each viewer gets its own credential');
});

test('P2P_RELAY=off hands out STUN but no TURN', () => {
  const config = loadOriginConfig({ STUN_URLS: 'stun:s.example.com', TURN_URLS: 'turn:t.example.com', TURN_SECRET: SECRET, P2P_RELAY: 'off' });
  assert.deepEqual(iceServersFor(config.ice, 'v', NOW), [{ urls: ['stun:s.example.com'] }]);
});

function configError(env: Record<string, string>): string {
  try {
    loadOriginConfig(env);
  } catch (error) {
    assert.ok(error instanceof ConfigError);
    return error.message;
  }
  assert.fail(`no ConfigError for ${JSON.stringify(env)}`);
}

test('bad ICE URLs and incomplete TURN settings are refused with a message naming the variable', () => {
  for (const bad of ['http://stun.example.com', 'turn:t.example.com', 'stun:', 'stun:host:99999', 'stun:user@host', 'stun:a b']) {
    assert.match(configError({ STUN_URLS: bad }), /STUN_URLS\.0: must look like stun:/, bad);
  }
  for (const bad of ['stun:t.example.com', 'turn:t.example.com?transport=sctp', 'turns://t.example.com', 'turn:t.example.com/path']) {
    assert.match(configError({ TURN_URLS: bad, TURN_SECRET: SECRET }), /TURN_URLS\.0: must look like turn:/, bad);
  }
  assert.match(configError({ TURN_URLS: 'turn:t.example.com' }), /TURN_SECRET: TURN_URLS is set but TURN_SECRET is not/);
  assert.match(configError({ TURN_SECRET: SECRET }), /TURN_URLS: TURN_SECRET is set but TURN_URLS is not/);
  assert.match(configError({ TURN_URLS: 'turn:t.example.com', TURN_SECRET: 'short' }), /TURN_SECRET: must be at least 16 characters/);
  assert.match(configError({ P2P_RELAY: 'always' }), /P2P_RELAY: P2P_RELAY=always needs TURN_URLS/);
  assert.match(configError({ P2P_RELAY: 'sometimes' }), /P2P_RELAY/);
  assert.match(configError({ TURN_URLS: 'turn:t.example.com', TURN_SECRET: SECRET, TURN_TTL_SECONDS: '5' }), /TURN_TTL_SECONDS/);
});
