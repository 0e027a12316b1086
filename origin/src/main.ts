// `npm start`: the origin on the embedded default (PGlite + local files), the tracker beside it,
// and a demo creator with a demo 360 clip. Configuration: see README.md ("Configuration").
import { createServer as createHttpServer } from 'node:http';
import type { FastifyInstance } from 'fastify';
import { loadTrackerConfig, TrackerServer } from '@spherecast/tracker';
import { ConfigError, loadOriginConfig } from './core/config.ts';
import { seedDemo } from './demo/demo-seed.ts';
import { createOrigin, TRACKER_PATH } from './origin.ts';
import { lanNames, resolveTlsCertificate, type TlsCertificate } from './edges/tls-certificate.ts';

/**
 * A plain-HTTP door on loopback into the same app, for the demo seeder's publish client while the
 * origin serves HTTPS (Node's fetch does not trust a self-signed certificate). Closed once the demo is there.
 */
async function loopbackDoor(app: FastifyInstance): Promise<{ url: string; close(): Promise<void> }> {
  const server = createHttpServer((request, response) => app.routing(request, response));
  await new Promise<void>((resolve, reject) => server.once('error', reject).listen(0, '127.0.0.1', resolve));
  const address = server.address();
  return {
    url: `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

const WILDCARD_HOSTS = new Set(['0.0.0.0', '::']);
const isLoopback = (host: string) => host === 'localhost' || host === '::1' || host.startsWith('127.');

/** The addresses a headset on the network can open, for the interface the origin listens on. */
function networkUrls(host: string, scheme: string, port: number): string[] {
  const names = lanNames();
  const hosts = WILDCARD_HOSTS.has(host)
    ? [
        ...names.ipAddresses.filter((address) => !isLoopback(address) && !address.startsWith('fe80:')),
        ...names.dnsNames.filter((name) => name.endsWith('.local')),
      ]
    : isLoopback(host)
      ? []
      : [host];
  return hosts.map((name) => `${scheme}://${name.includes(':') ? `[${name}]` : name}:${port}/`);
}

function certificateLines(tls: TlsCertificate, headsetUrl: string | undefined): string[] {
  const made =
    tls.source === 'operator'
      ? `from TLS_CERT ${tls.certFile}`
      : tls.source === 'generated'
        ? `self-signed, made now (${tls.generatedBecause ?? 'new'}): ${tls.certFile}`
        : `self-signed: ${tls.certFile}`;
  const lines = [`Certificate           ${made}, valid until ${tls.validTo.toISOString().slice(0, 10)}`, `  SHA-256             ${tls.fingerprint256}`];
  if (tls.source !== 'operator') {
    const url = headsetUrl ?? "https://<this computer's address>:PORT/ (start with HOST=0.0.0.0 to listen on the network)";
    lines.push(
      `  on a headset        open ${url} in its browser and accept the warning once`,
      '                      (Meta Quest Browser: Advanced → Proceed to … (unsafe); the fingerprint above is the one it shows).',
      '                      The tracker is on the same port, so that one acceptance covers it.',
    );
  }
  return lines;
}

async function main() {
  const config = loadOriginConfig();
  // With HTTPS the tracker speaks TLS with the same certificate: an HTTPS page may only open wss://.
  const tls = await resolveTlsCertificate(config);
  let tracker: TrackerServer | null = null;
  if (config.trackerEmbedded) {
    tracker = new TrackerServer(
      loadTrackerConfig(process.env, { port: config.trackerPort, host: config.host, ...(tls ? { tls: { cert: tls.cert, key: tls.key } } : {}) }),
    );
    await tracker.start();
  }
  const origin = await createOrigin({
    ...config,
    tls,
    rtmp: true,
    ...(tracker ? { tracker } : {}),
  });
  // Players reach the embedded tracker through the origin's own port (see OriginServices.trackerPath).
  const trackerUrl = config.trackerUrl ?? (tracker ? `${origin.url.replace(/^http/, 'ws')}${TRACKER_PATH}` : undefined);
  const onNetwork = networkUrls(config.host, tls ? 'https' : 'http', origin.config.port);
  const lines = [
    '',
    `Spherecast origin     ${origin.url}  (database: ${origin.database.kind === 'pglite' ? `embedded PGlite in ${config.dataDir}/db` : 'PostgreSQL'})`,
    `  player              ${origin.url}/`,
    `  REST API / OpenAPI  ${origin.url}/api  ${origin.url}/openapi.json`,
    `  media               ${origin.url}/media/ (files in ${config.mediaDir})`,
    `  live ingest         rtmp://${new URL(origin.url).hostname}:${origin.config.rtmpPort}/live/<streamKey>  and  PUT ${origin.url}/live/<channelId>/...`,
    ...(onNetwork.length > 0 ? [`  on your network     ${onNetwork.join('  ')}`] : []),
    `Tracker               ${trackerUrl ?? 'none (set TRACKER_URL or TRACKER_EMBEDDED=true)'}${tracker ? `  (also ${tracker.url}; stats: ${tracker.opsUrl}/stats.json)` : ''}`,
    ...(origin.tls ? certificateLines(origin.tls, onNetwork[0]) : []),
    ...(!origin.tls && onNetwork.length > 0
      ? ['Headsets              Enter VR needs HTTPS: start with HTTPS=true (see README.md, "A headset on your network").']
      : []),
  ];
  console.log(lines.join('\n'));
  if (config.seedDemo) {
    const door = origin.tls ? await loopbackDoor(origin.app) : null;
    try {
      const demo = await seedDemo(door ? { ...origin, url: door.url } : origin, (message) => console.log(`demo: ${message}`));
      console.log(`Demo clip             ${origin.url}/watch/${demo.contentId}`);
      console.log(`  master playlist     ${door ? demo.masterUrl.replace(door.url, origin.url) : demo.masterUrl}`);
      console.log(`  demo creator        ${demo.username} / ${demo.password}  (stored in ${demo.credentialsFile})`);
    } catch (error) {
      console.error(`demo: could not create the demo clip: ${(error as Error).message}`);
      console.error('demo: the platform runs without it; install ffmpeg (see README.md) and start again to get it.');
    } finally {
      await door?.close();
    }
  }
  console.log('\nPress Ctrl+C to stop.');

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    console.log(`\n${signal}: stopping…`);
    // The tracker first: its WebSockets on the origin's port would keep the origin's server open.
    await tracker?.destroy().catch((error: unknown) => console.error(error));
    await origin.close().catch((error: unknown) => console.error(error));
    process.exit(0);
  };
  process.on('SIGINT', () => void stop('SIGINT'));
  process.on('SIGTERM', () => void stop('SIGTERM'));
}

main().catch((error: unknown) => {
  if (error instanceof ConfigError) {
    console.error(error.message);
  } else if ((error as NodeJS.ErrnoException).code === 'EADDRINUSE') {
    console.error(`${(error as Error).message}: another program uses that port. Stop it or set PORT / TRACKER_PORT.`);
  } else {
    console.error(error);
  }
  process.exit(1);
});
