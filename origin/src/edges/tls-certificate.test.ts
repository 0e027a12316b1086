import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import https from 'node:https';
import os from 'node:os';
import path from 'node:path';
import tls from 'node:tls';
import { after, before, describe, test } from 'node:test';
import { generate } from 'selfsigned';
import { TrackerServer } from '@spherecast/tracker';
import { ConfigError, loadOriginConfig } from '../core/config.ts';
import { startTestOrigin, type TestOrigin } from '../test-support/test-origin.ts';
import { testDatabaseKinds } from '../test-support/databases.ts';
import { lanNames, loadOperatorCertificate, loadOrCreateSelfSigned, RENEW_BEFORE_DAYS, type LanNames, type TlsCertificate } from './tls-certificate.ts';

const DAY_MS = 86_400_000;
const NAMES: LanNames = { dnsNames: ['localhost', 'vm', 'vm.local'], ipAddresses: ['127.0.0.1', '::1', '192.168.1.20', 'fd00::2'] };

let dir: string;
before(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'spherecast-tls-'));
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('LAN names', () => {
  test('host name, its .local name, localhost, loopback and every non-internal address', () => {
    const names = lanNames('Quest-Lab.example', {
      lo: [{ address: '127.0.0.1', netmask: '255.0.0.0', family: 'IPv4', mac: '00:00:00:00:00:00', internal: true, cidr: '127.0.0.1/8' }],
      eth0: [
        { address: '192.168.1.20', netmask: '255.255.255.0', family: 'IPv4', mac: '02:00:00:00:00:01', internal: false, cidr: '192.168.1.20/24' },
        { address: 'FE80::1', netmask: 'ffff:ffff:ffff:ffff::', family: 'IPv6', mac: '02:00:00:00:00:01', internal: false, cidr: 'fe80::1/64', scopeid: 2 },
      ],
    });
    assert.deepEqual(names.dnsNames.sort(), ['localhost', 'quest-lab.example', 'quest-lab.local']);
    assert.deepEqual(names.ipAddresses.sort(), ['127.0.0.1', '192.168.1.20', '::1', 'fe80::1']);
  });
});

describe('self-signed certificate in DATA_DIR/tls', () => {
  test('generated once for the LAN names, key mode 0600, reused on the next start', async () => {
    const tlsDir = path.join(dir, 'once');
    const first = await loadOrCreateSelfSigned(tlsDir, { names: NAMES });
    assert.equal(first.source, 'generated');
    assert.equal(first.certFile, path.join(tlsDir, 'cert.pem'));
    assert.equal((await stat(first.keyFile)).mode & 0o777, 0o600);
    const x509 = new X509Certificate(await readFile(first.certFile, 'utf8'));
    for (const name of NAMES.dnsNames) assert.equal(x509.checkHost(name, { wildcards: false, subject: 'never' }), name);
    for (const ip of NAMES.ipAddresses) assert.equal(x509.checkIP(ip), ip);
    assert.equal(x509.checkIP('192.168.1.21'), undefined);
    assert.equal(x509.fingerprint256, first.fingerprint256);
    assert.ok(first.validTo.getTime() - Date.now() > 300 * DAY_MS);

    const again = await loadOrCreateSelfSigned(tlsDir, { names: NAMES });
    assert.equal(again.source, 'reused');
    assert.equal(again.fingerprint256, first.fingerprint256);
    // An address the machine no longer has is no reason to make headsets accept a new certificate.
    const fewer = await loadOrCreateSelfSigned(tlsDir, { names: { ...NAMES, ipAddresses: ['127.0.0.1', '::1'] } });
    assert.equal(fewer.fingerprint256, first.fingerprint256);
  });

  test('regenerated when the machine has a new address, and within 30 days of expiry', async () => {
    const tlsDir = path.join(dir, 'renew');
    const first = await loadOrCreateSelfSigned(tlsDir, { names: NAMES });
    const moved = await loadOrCreateSelfSigned(tlsDir, { names: { ...NAMES, ipAddresses: [...NAMES.ipAddresses, '10.0.0.7'] } });
    assert.equal(moved.source, 'generated');
    assert.match(moved.generatedBecause ?? '', /does not name 10\.0\.0\.7/);
    assert.notEqual(moved.fingerprint256, first.fingerprint256);
    assert.equal(new X509Certificate(moved.cert).checkIP('10.0.0.7'), '10.0.0.7');

    const names = { ...NAMES, ipAddresses: [...NAMES.ipAddresses, '10.0.0.7'] };
    const stillFine = await loadOrCreateSelfSigned(tlsDir, { names, now: new Date(moved.validTo.getTime() - (RENEW_BEFORE_DAYS + 1) * DAY_MS) });
    assert.equal(stillFine.fingerprint256, moved.fingerprint256);
    const nearExpiry = new Date(moved.validTo.getTime() - (RENEW_BEFORE_DAYS - 1) * DAY_MS);
    const renewed = await loadOrCreateSelfSigned(tlsDir, { names, now: nearExpiry });
    assert.equal(renewed.source, 'generated');
    assert.match(renewed.generatedBecause ?? '', /expires on/);
    assert.ok(renewed.validTo.getTime() > moved.validTo.getTime());
  });

  test('a key that does not match the certificate (an interrupted write) is replaced', async () => {
    const tlsDir = path.join(dir, 'torn');
    const first = await loadOrCreateSelfSigned(tlsDir, { names: NAMES });
    const other = await generate([{ name: 'commonName', value: 'other' }], { keyType: 'ec', curve: 'P-256', algorithm: 'sha256' });
    await writeFile(first.keyFile, other.private);
    const repaired = await loadOrCreateSelfSigned(tlsDir, { names: NAMES });
    assert.equal(repaired.source, 'generated');
    assert.match(repaired.generatedBecause ?? '', /key does not belong/);
    assert.equal((await stat(repaired.keyFile)).mode & 0o777, 0o600);
  });
});

describe("the operator's TLS_CERT / TLS_KEY", () => {
  test('a valid pair is used as it is', async () => {
    const pair = await generate([{ name: 'commonName', value: 'spherecast.example' }], { keyType: 'ec', curve: 'P-256', algorithm: 'sha256' });
    await writeFile(path.join(dir, 'op-cert.pem'), pair.cert);
    await writeFile(path.join(dir, 'op-key.pem'), pair.private);
    const loaded = await loadOperatorCertificate(path.join(dir, 'op-cert.pem'), path.join(dir, 'op-key.pem'));
    assert.equal(loaded.source, 'operator');
    assert.equal(loaded.cert, pair.cert);
  });

  test('missing, non-PEM, mismatched and expired files stop the start with a message naming the variable', async () => {
    const pair = await generate([{ name: 'commonName', value: 'a' }], { keyType: 'ec', curve: 'P-256', algorithm: 'sha256' });
    const other = await generate([{ name: 'commonName', value: 'b' }], { keyType: 'ec', curve: 'P-256', algorithm: 'sha256' });
    const expired = await generate([{ name: 'commonName', value: 'c' }], {
      keyType: 'ec',
      curve: 'P-256',
      algorithm: 'sha256',
      notBeforeDate: new Date(Date.now() - 20 * DAY_MS),
      notAfterDate: new Date(Date.now() - 10 * DAY_MS),
    });
    const file = async (name: string, text: string) => {
      await writeFile(path.join(dir, name), text);
      return path.join(dir, name);
    };
    const cert = await file('a-cert.pem', pair.cert);
    const key = await file('a-key.pem', pair.private);
    const cases: Array<[string, string, RegExp]> = [
      [path.join(dir, 'nope.pem'), key, /^TLS_CERT: cannot read .*nope\.pem \(ENOENT\)/],
      [cert, path.join(dir, 'nope.pem'), /^TLS_KEY: cannot read/],
      [await file('junk.pem', 'hello'), key, /^TLS_CERT: .* is not a PEM certificate/],
      [cert, await file('junk-key.pem', pair.cert), /^TLS_KEY: .* is not an unencrypted PEM private key/],
      [cert, await file('b-key.pem', other.private), /^TLS_KEY: .* is not the private key of the certificate in TLS_CERT/],
      [await file('c-cert.pem', expired.cert), await file('c-key.pem', expired.private), /^TLS_CERT: the certificate in .* expired on/],
    ];
    for (const [certFile, keyFile, message] of cases) {
      await assert.rejects(loadOperatorCertificate(certFile, keyFile), (error: unknown) => error instanceof ConfigError && message.test(error.message));
    }
  });

  test('the environment: HTTPS, TLS_CERT and TLS_KEY together, and a wss:// TRACKER_URL with HTTPS', () => {
    assert.equal(loadOriginConfig({}).https, false);
    assert.equal(loadOriginConfig({ HTTPS: 'true' }).https, true);
    const operator = loadOriginConfig({ TLS_CERT: 'c.pem', TLS_KEY: 'k.pem' });
    assert.equal(operator.https, true);
    assert.equal(operator.tlsCertFile, path.resolve('c.pem'));
    assert.throws(() => loadOriginConfig({ TLS_CERT: 'c.pem' }), /TLS_KEY: TLS_CERT and TLS_KEY go together/);
    assert.throws(() => loadOriginConfig({ HTTPS: 'false', TLS_CERT: 'c.pem', TLS_KEY: 'k.pem' }), /HTTPS: HTTPS=false but TLS_CERT is set/);
    assert.throws(
      () => loadOriginConfig({ HTTPS: 'yes', TRACKER_URL: 'ws://tracker.example:8000' }),
      /TRACKER_URL: a page served over HTTPS may only open wss:\/\//,
    );
    assert.equal(loadOriginConfig({ HTTPS: 'yes', TRACKER_URL: 'wss://tracker.example' }).trackerUrl, 'wss://tracker.example');
    assert.throws(() => loadOriginConfig({ HTTPS: 'maybe' }), /HTTPS:/);
  });
});

/** Sends a WebSocket upgrade over TLS (trusting `ca`) and returns the status line of the answer. */
function upgradeStatus(port: number, pathname: string, ca: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = tls.connect({ host: '127.0.0.1', port, ca, servername: 'localhost' }, () => {
      socket.write(
        `GET ${pathname} HTTP/1.1\r\nHost: 127.0.0.1:${port}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nOrigin: https://127.0.0.1:${port}\r\n\r\n`,
      );
    });
    socket.setEncoding('utf8');
    socket.once('data', (text: string) => {
      resolve(text.split('\r\n', 1)[0] ?? '');
      socket.destroy();
    });
    socket.once('error', reject);
  });
}

/** GET over HTTPS trusting only `ca`, with the Host header a LAN client would send. */
function httpsGet(port: number, pathname: string, ca: string, host: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    https
      .get({ host: '127.0.0.1', port, path: pathname, ca, servername: 'localhost', headers: { host } }, (response) => {
        let body = '';
        response.setEncoding('utf8');
        response.on('data', (chunk: string) => (body += chunk));
        response.on('end', () => resolve({ status: response.statusCode ?? 0, body }));
      })
      .on('error', reject);
  });
}

describe('an HTTPS origin with the tracker on its own port', () => {
  let certificate: TlsCertificate;
  let tracker: TrackerServer;
  let t: TestOrigin;
  before(async () => {
    certificate = await loadOrCreateSelfSigned(path.join(dir, 'origin'), { names: NAMES });
    tracker = new TrackerServer({ port: 0, host: '127.0.0.1', logLevel: 'error', tls: { cert: certificate.cert, key: certificate.key } });
    await tracker.start();
    const [kind] = await testDatabaseKinds();
    t = await startTestOrigin(kind!, { trackerUrl: undefined, tls: certificate, tracker });
  });
  after(async () => {
    await tracker.destroy();
    await t.close();
  });

  test('serves HTTPS with the certificate (verified, not ignored) and reports an https URL', async () => {
    assert.match(t.url, /^https:\/\/127\.0\.0\.1:\d+$/);
    const port = Number(new URL(t.url).port);
    const health = await httpsGet(port, '/healthz', certificate.cert, `127.0.0.1:${port}`);
    assert.equal(health.status, 200);
    await assert.rejects(httpsGet(port, '/healthz', (await generate()).cert, `127.0.0.1:${port}`), /self.signed|unable to verify|certificate/i);
  });

  test('players get wss://<the host they used>/tracker, and the tracker answers there over TLS', async () => {
    const owner = await t.user('tls_creator');
    const content = await owner.caller.content.create({ title: 'Over HTTPS' });
    await t.origin.services.prisma.content.update({
      where: { id: content.id },
      data: { status: 'ready', publishedPath: `${content.id}/v1`, masterFile: 'master.m3u8', publishedAt: new Date() },
    });
    const port = Number(new URL(t.url).port);
    for (const host of [`192.168.1.20:${port}`, `vm.local:${port}`]) {
      const answer = await httpsGet(port, `/api/streaming/${content.id}`, certificate.cert, host);
      const playback = JSON.parse(answer.body) as { trackerUrl: string; masterUrl: string };
      assert.equal(playback.trackerUrl, `wss://${host}/tracker`);
      assert.equal(playback.masterUrl, `https://${host}/media/${content.id}/v1/master.m3u8`);
    }
    const before = tracker.stats().totals.connectionsOpened;
    assert.equal(await upgradeStatus(port, '/tracker', certificate.cert), 'HTTP/1.1 101 Switching Protocols');
    assert.equal(tracker.stats().totals.connectionsOpened, before + 1);
    assert.equal(await upgradeStatus(port, '/elsewhere', certificate.cert), 'HTTP/1.1 404 Not Found');
    // The tracker's own port speaks TLS with the same certificate.
    assert.match(tracker.url, /^wss:\/\//);
    assert.equal(await upgradeStatus(tracker.port, '/', certificate.cert), 'HTTP/1.1 101 Switching Protocols');
  });

  test('without the tracker handed over, players get the embedded port with the scheme of the page', async () => {
    const [kind] = await testDatabaseKinds();
    const other = await startTestOrigin(kind!, { trackerUrl: undefined, tls: certificate, embeddedTrackerPort: 8123 });
    try {
      const owner = await other.user('tls_port_creator');
      const content = await owner.caller.content.create({ title: 'Port' });
      await other.origin.services.prisma.content.update({
        where: { id: content.id },
        data: { status: 'ready', publishedPath: `${content.id}/v1`, masterFile: 'master.m3u8', publishedAt: new Date() },
      });
      const port = Number(new URL(other.url).port);
      const answer = await httpsGet(port, `/api/streaming/${content.id}`, certificate.cert, `192.168.1.20:${port}`);
      assert.equal((JSON.parse(answer.body) as { trackerUrl: string }).trackerUrl, 'wss://192.168.1.20:8123');
    } finally {
      await other.close();
    }
  });
});
