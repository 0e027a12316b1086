// A real origin in its own process for the live fault test (e2e/live-fault.test.ts): configured from
// the environment (DATABASE_URL, DATA_DIR, LIVE_GRACE_SECONDS) on the port given in SPHERECAST_TEST_PORT,
// so a restart after SIGKILL listens where the pusher keeps pushing. Prints its URL once it listens.
import { createOrigin } from '@spherecast/origin';

const port = Number(process.env.SPHERECAST_TEST_PORT ?? '0');
const origin = await createOrigin({ port, host: '127.0.0.1', seedDemo: false, trackerUrl: 'ws://127.0.0.1:1/tracker' });
process.stdout.write(`LISTENING ${origin.url}\n`);
