// A real origin in its own process for crash tests (domains/media/publish-crash.test.ts): configured from the environment
// (DATABASE_URL, DATA_DIR, SPHERECAST_FAULT_AT), it prints its URL once it listens.
import { createOrigin } from '../origin.ts';

const origin = await createOrigin({ port: 0, host: '127.0.0.1', seedDemo: false, trackerUrl: 'ws://127.0.0.1:1/tracker' });
process.stdout.write(`LISTENING ${origin.url}\n`);
