import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { testDatabaseKinds } from '../test-support/databases.ts';
import { startTestOrigin } from '../test-support/test-origin.ts';

const [kind] = await testDatabaseKinds();

describe('closing the origin with subscribers connected', () => {
  test('ends the open event streams instead of waiting for every page to leave', async () => {
    const t = await startTestOrigin(kind!);
    const input = encodeURIComponent(JSON.stringify({ lastEventId: null }));
    const response = await fetch(`${t.url}/trpc/realtime.events?input=${input}`, { headers: { accept: 'text/event-stream' } });
    assert.equal(response.status, 200);
    const reader = response.body!.getReader();
    // The stream is open and live: its first event has arrived.
    assert.equal((await reader.read()).done, false);
    const streamEnded = (async () => {
      for (;;) if ((await reader.read()).done) return 'ended';
    })().catch(() => 'cut');
    // Before the fix close() waited here until the subscriber left by itself, which a page never does.
    let stuck: NodeJS.Timeout | undefined;
    const outcome = await Promise.race([
      t.close().then(() => 'closed'),
      new Promise((resolve) => (stuck = setTimeout(resolve, 30_000, 'still waiting for the subscriber after 30 s'))),
    ]);
    clearTimeout(stuck);
    assert.equal(outcome, 'closed');
    assert.match(await streamEnded, /ended|cut/);
  });
});
