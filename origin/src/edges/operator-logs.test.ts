import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { testDatabaseKinds } from '../test-support/databases.ts';
import { startTestOrigin, type TestOrigin } from '../test-support/test-origin.ts';

const [kind] = await testDatabaseKinds();

describe('operators see errors: every 5xx is logged with the request id the client got', () => {
  let t: TestOrigin;
  const lines: Array<Record<string, unknown>> = [];

  before(async () => {
    t = await startTestOrigin(kind!, {
      logLevel: 'info',
      logStream: { write: (line: string) => void lines.push(JSON.parse(line) as Record<string, unknown>) },
    });
  });
  after(() => t.close());

  test('a request that fails on the server: 500 with a request id in header and body, the same id on an error log line', async () => {
    const prisma = t.origin.services.prisma;
    // A real failure: the table the procedure reads is gone.
    await prisma.$executeRawUnsafe('ALTER TABLE "Announcement" RENAME TO "AnnouncementAway"');
    try {
      for (const url of ['/api/announcements/active', '/trpc/announcements.active']) {
        const response = await fetch(`${t.url}${url}`);
        assert.equal(response.status, 500, url);
        const requestId = response.headers.get('x-request-id');
        assert.ok(requestId, 'x-request-id header');
        const text = await response.text();
        assert.doesNotMatch(text, /AnnouncementAway|prisma|at .*\.ts/i, 'no SQL or stack trace reaches the client');
        const logged = lines.find((line) => line.requestId === requestId && line.level === 50);
        assert.ok(logged, `an error line with requestId ${requestId}; got ${JSON.stringify(lines.slice(-3))}`);
        assert.match(JSON.stringify(logged), /Announcement.{0,40}does not exist/, 'the operator sees the cause');
      }
    } finally {
      await prisma.$executeRawUnsafe('ALTER TABLE "AnnouncementAway" RENAME TO "Announcement"');
    }
  });

  test('at the default level successful requests are not logged one by one, and every answer names its request', async () => {
    const before = lines.length;
    const response = await fetch(`${t.url}/healthz`);
    assert.equal(response.status, 200);
    assert.match(response.headers.get('x-request-id') ?? '', /^[0-9a-f-]{36}$/);
    assert.equal(lines.length, before);
    const forwarded = await fetch(`${t.url}/healthz`, { headers: { 'x-request-id': 'proxy-abc-12345' } });
    assert.equal(forwarded.headers.get('x-request-id'), 'proxy-abc-12345', "a proxy's id is kept");
    const problem = await fetch(`${t.url}/media/no-such-content/master.m3u8`);
    const body = (await problem.json()) as { requestId: string; status: number };
    assert.equal(body.status, 404);
    assert.equal(body.requestId, problem.headers.get('x-request-id'));
  });
});
