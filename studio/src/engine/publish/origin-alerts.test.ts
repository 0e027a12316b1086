// The studio's alert banner source: the engine follows a real origin's real-time channel and yields
// the alerts in force, as they are issued and ended, and nothing while signed out.
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Alert } from '@spherecast/shared';
import { createOrigin } from '@spherecast/origin';
import { watchOriginAlerts } from './origin-alerts.ts';

describe('origin alerts for the studio banner', () => {
  let dir: string;
  let origin: Awaited<ReturnType<typeof createOrigin>>;
  let token: string;

  before(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'studio-alerts-'));
    origin = await createOrigin({
      port: 0,
      host: '127.0.0.1',
      dataDir: dir,
      mediaDir: path.join(dir, 'media'),
      databaseUrl: undefined,
      seedDemo: false,
      trackerUrl: 'ws://127.0.0.1:1/tracker',
    });
    const register = await fetch(`${origin.url}/api/auth/register`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'ops', email: 'ops@example.test', password: 'correct-horse-1', role: 'creator' }),
    });
    token = ((await register.json()) as { token: string }).token;
    await origin.services.prisma.user.update({ where: { username: 'ops' }, data: { role: 'admin' } });
  });
  after(async () => {
    await origin?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('yields an alert when it is issued and an empty list when it ends; nothing while signed out', async () => {
    const controller = new AbortController();
    let signedIn = false;
    const seen: Alert[][] = [];
    let wake = (): void => undefined;
    const consumer = (async () => {
      for await (const list of watchOriginAlerts(() => (signedIn ? origin.url : null), controller.signal)) {
        seen.push(list);
        wake();
      }
    })();
    const next = async (match: (list: Alert[]) => boolean) => {
      const deadline = Date.now() + 30_000;
      while (!seen.some(match)) {
        if (Date.now() > deadline) throw new Error(`no matching list; got ${JSON.stringify(seen)}`);
        await new Promise<void>((resolve) => {
          wake = resolve;
          setTimeout(resolve, 500);
        });
      }
    };
    await next((list) => list.length === 0);
    signedIn = true;
    const post = await fetch(`${origin.url}/api/alerts`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({
        headline: 'Flood warning',
        body: 'River levels rising.',
        severity: 'severe',
        expiresAt: new Date(Date.now() + 3600_000).toISOString(),
      }),
    });
    assert.equal(post.status, 200, await post.clone().text());
    const alert = (await post.json()) as Alert;
    await next((list) => list.some((a) => a.id === alert.id && a.headline === 'Flood warning'));
    seen.length = 0;
    const ended = await fetch(`${origin.url}/api/alerts/${alert.id}/expire`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: '{}',
    });
    assert.equal(ended.status, 200);
    await next((list) => list.length === 0);
    controller.abort();
    await consumer;
  });
});
