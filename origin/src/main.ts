// `npm start`: the origin on the embedded default (PGlite + local files), the tracker beside it,
// and a demo creator with a demo 360 clip. Configuration: see README.md ("Configuration").
import { loadTrackerConfig, TrackerServer } from '@spherecast/tracker';
import { ConfigError, loadOriginConfig } from './core/config.ts';
import { seedDemo } from './demo/demo-seed.ts';
import { createOrigin } from './origin.ts';

async function main() {
  const config = loadOriginConfig();
  let tracker: TrackerServer | null = null;
  if (config.trackerEmbedded) {
    tracker = new TrackerServer(loadTrackerConfig(process.env, { port: config.trackerPort, host: config.host }));
    await tracker.start();
  }
  const trackerUrl = config.trackerUrl ?? tracker?.url;
  const origin = await createOrigin({
    ...config,
    embeddedTrackerPort: tracker?.port,
    logger: config.logLevel !== 'info' && config.logLevel !== 'silent',
  });
  const lines = [
    '',
    `Spherecast origin     ${origin.url}  (database: ${origin.database.kind === 'pglite' ? `embedded PGlite in ${config.dataDir}/db` : 'PostgreSQL'})`,
    `  player              ${origin.url}/`,
    `  REST API / OpenAPI  ${origin.url}/api  ${origin.url}/openapi.json`,
    `  media               ${origin.url}/media/ (files in ${config.mediaDir})`,
    `Tracker               ${trackerUrl ?? 'none (set TRACKER_URL or TRACKER_EMBEDDED=true)'}${tracker ? `  stats: ${tracker.url.replace('ws', 'http')}/stats.json` : ''}`,
  ];
  console.log(lines.join('\n'));
  if (config.seedDemo) {
    try {
      const demo = await seedDemo(origin, (message) => console.log(`demo: ${message}`));
      console.log(`Demo clip             ${origin.url}/watch/${demo.contentId}`);
      console.log(`  master playlist     ${demo.masterUrl}`);
      console.log(`  demo creator        ${demo.username} / ${demo.password}  (stored in ${demo.credentialsFile})`);
    } catch (error) {
      console.error(`demo: could not create the demo clip: ${(error as Error).message}`);
      console.error('demo: the platform runs without it; install ffmpeg (see README.md) and start again to get it.');
    }
  }
  console.log('\nPress Ctrl+C to stop.');

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    console.log(`\n${signal}: stopping…`);
    await origin.close().catch((error: unknown) => console.error(error));
    await tracker?.destroy().catch((error: unknown) => console.error(error));
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
