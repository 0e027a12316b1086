// A real origin in its own process (started by origin-process.ts): configured from the environment
// (DATABASE_URL, DATA_DIR, SPHERECAST_FAULT_AT, LIVE_GRACE_SECONDS, ...), on the port in
// SPHERECAST_TEST_PORT when given (so a restart listens where clients keep calling). Prints its URL once it listens.
import { createOrigin } from '../origin.ts';

const port = Number(process.env.SPHERECAST_TEST_PORT ?? '0');
const origin = await createOrigin({ port, host: '127.0.0.1', seedDemo: false, trackerUrl: 'ws://127.0.0.1:1/tracker' });
process.stdout.write(`LISTENING ${origin.url}\n`);
