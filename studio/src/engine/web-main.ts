// Browser-only mode: `npm run studio:web -w studio` builds the renderer and runs this. Open the printed URL.
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadStudioConfig } from './config.ts';
import { StudioServer } from './http/studio-server.ts';
import { StudioEngine } from './studio-engine.ts';

const studioRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

async function main(): Promise<void> {
  let config;
  try {
    config = loadStudioConfig();
  } catch (error) {
    console.error(error instanceof Error ? error.message : String(error));
    process.exit(2);
  }
  const engine = new StudioEngine({ dataDir: config.dataDir, jobConcurrency: config.jobConcurrency });
  await engine.start();
  const server = new StudioServer({
    engine,
    host: config.host,
    port: config.port,
    rendererDir: process.env['STUDIO_RENDERER_DIR'] ?? path.join(studioRoot, 'dist', 'web'),
  });
  try {
    await server.start();
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    console.error(
      code === 'EADDRINUSE'
        ? `Port ${config.port} is taken. Stop the other studio or set STUDIO_PORT to a free port (0 picks one).`
        : `The studio server could not start: ${error instanceof Error ? error.message : String(error)}`,
    );
    await engine.destroy();
    process.exit(1);
  }
  console.log(`Spherecast Studio (browser mode) at ${server.url}\nData folder: ${engine.dataDir}`);

  let stopping = false;
  const stop = async () => {
    if (stopping) return;
    stopping = true;
    await server.destroy();
    await engine.destroy();
    process.exit(0);
  };
  process.on('SIGINT', () => void stop());
  process.on('SIGTERM', () => void stop());
}

await main();
