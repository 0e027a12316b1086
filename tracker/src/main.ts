// Standalone tracker: `npm start -w tracker`. Configuration comes from TRACKER_* variables
// (see config/tracker-config.ts); a bad one stops the program with a message naming it.
import { loadTrackerConfig, TrackerConfigError, TrackerServer } from './index.ts';

async function main(): Promise<void> {
  let tracker: TrackerServer;
  try {
    tracker = new TrackerServer(loadTrackerConfig(process.env));
  } catch (error) {
    if (error instanceof TrackerConfigError) {
      process.stderr.write(`${error.message}\n`);
      process.exit(1);
    }
    throw error;
  }
  await tracker.start();
  let stopping = false;
  const stop = (signal: string): void => {
    if (stopping) return;
    stopping = true;
    process.stderr.write(`tracker: ${signal}, closing connections\n`);
    tracker.destroy().then(
      () => process.exit(0),
      (error: unknown) => {
        process.stderr.write(`tracker: shutdown failed: ${String(error)}\n`);
        process.exit(1);
      },
    );
  };
  process.once('SIGINT', () => stop('SIGINT'));
  process.once('SIGTERM', () => stop('SIGTERM'));
}

main().catch((error: unknown) => {
  process.stderr.write(`tracker: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
