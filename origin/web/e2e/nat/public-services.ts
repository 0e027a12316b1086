// The NAT lab's servers on the public side, in their own process because a process's sockets live in
// the network namespace it was started in: `ip netns exec <public ns> node --import tsx public-services.ts
// <folder> <address>`. Serves the folder (the HLS ladder, its hash list and the player page) over HTTP
// on :8080 and runs the project's WebTorrent tracker on :8000; prints one JSON line with both URLs,
// then runs until SIGTERM.
import { TrackerServer } from '@spherecast/tracker';
import { startStaticServer } from '../../../../shared/src/player/fixtures/static-server.ts';

const [root, address] = process.argv.slice(2);
if (!root || !address) throw new Error('usage: public-services.ts <folder> <address>');

const media = await startStaticServer(root, address, 8080);
// Re-announcing every 5 s (120 s in production) so that a pair that failed to connect tries again within a test.
const tracker = new TrackerServer({ host: address, port: 8000, logLevel: 'error', announceIntervalSeconds: 5 });
await tracker.start();
process.stdout.write(`${JSON.stringify({ mediaUrl: media.url, trackerUrl: tracker.url })}\n`);
process.once('SIGTERM', () => {
  void Promise.all([media.close(), tracker.destroy()]).finally(() => process.exit(0));
});
