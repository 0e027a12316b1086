// An origin (embedded PGlite in a temp dir) and a tracker started by the test, and a published video.
import { access, mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createOrigin, type Origin, type OriginOptions } from '@spherecast/origin';
import { TrackerServer } from '@spherecast/tracker';
import type { Projection } from '@spherecast/shared';

export type Stack = {
  origin: Origin;
  tracker: TrackerServer;
  url: string;
  workDir: string;
  /** Registers a user over the REST API and returns its bearer token. */
  register(username: string, role?: 'viewer' | 'creator'): Promise<{ token: string; userId: string }>;
  /**
   * Registers a user and makes it an admin in the database, as an operator would (the API has no way
   * to become an admin). Returns its bearer token.
   */
  registerAdmin(username: string): Promise<{ token: string; userId: string }>;
  /** Publishes every file of `dir` (master.m3u8 at its root) as a new content. Returns its id. */
  publish(token: string, dir: string, meta: PublishMeta): Promise<string>;
  /** JSON request against the origin. */
  http<T>(method: string, pathname: string, body?: unknown, token?: string): Promise<T>;
  close(): Promise<void>;
};

export type PublishMeta = {
  title: string;
  kind?: 'video' | 'photo';
  projection?: Projection;
  tags?: string[];
  genre?: string;
  description?: string;
  durationSeconds?: number;
  master?: string;
  location?: { placeName: string; latitude: number; longitude: number };
};

/** `options` are merged onto the origin's test defaults (for example `{ rtmp: true, rtmpPort: 0 }`). */
export async function startStack(options: OriginOptions = {}): Promise<Stack> {
  const workDir = await mkdtemp(path.join(tmpdir(), 'spherecast-e2e-'));
  const tracker = new TrackerServer({ port: 0, host: '127.0.0.1', logLevel: 'error' });
  await tracker.start();
  const origin = await createOrigin({ port: 0, host: '127.0.0.1', dataDir: path.join(workDir, 'data'), trackerUrl: tracker.url, seedDemo: false, ...options });
  const url = origin.url;

  async function http<T>(method: string, pathname: string, body?: unknown, token?: string): Promise<T> {
    const headers: Record<string, string> = {};
    if (token) headers.authorization = `Bearer ${token}`;
    if (body !== undefined) headers['content-type'] = 'application/json';
    const response = await fetch(url + pathname, { method, headers, ...(body === undefined ? {} : { body: JSON.stringify(body) }) });
    const text = await response.text();
    if (!response.ok) throw new Error(`${method} ${pathname} → ${response.status}: ${text}`);
    return (text ? JSON.parse(text) : null) as T;
  }

  async function register(username: string, role: 'viewer' | 'creator' = 'creator'): Promise<{ token: string; userId: string }> {
    const result = await http<{ token: string; user: { id: string } }>('POST', '/api/auth/register', {
      username,
      email: `${username}@example.test`,
      password: 'correct-horse-battery',
      role,
    });
    return { token: result.token, userId: result.user.id };
  }

  return {
    origin,
    tracker,
    url,
    workDir,
    http,
    register,
    async registerAdmin(username) {
      const user = await register(username, 'viewer');
      await origin.services.prisma.user.update({ where: { id: user.userId }, data: { role: 'admin' } });
      return user;
    },
    async publish(token, dir, meta) {
      const { master = 'master.m3u8', durationSeconds, kind = 'video', ...fields } = meta;
      const created = await http<{ id: string }>('POST', '/api/content', { kind, projection: 'equirectangular-mono', ...fields }, token);
      for (const entry of await readdir(dir, { recursive: true, withFileTypes: true })) {
        if (!entry.isFile()) continue;
        const full = path.join(entry.parentPath, entry.name);
        const rel = path.relative(dir, full).split(path.sep).join('/');
        const response = await fetch(`${url}/media/${created.id}/${rel}`, {
          method: 'PUT',
          headers: { authorization: `Bearer ${token}`, 'content-type': 'application/octet-stream' },
          body: await readFile(full),
        });
        if (!response.ok) throw new Error(`upload ${rel} → ${response.status}: ${await response.text()}`);
      }
      // The media engine's ladder carries a poster frame; publish it as the content's poster.
      const poster =
        kind === 'video' &&
        (await access(path.join(dir, 'poster.jpg')).then(
          () => true,
          () => false,
        ))
          ? 'poster.jpg'
          : undefined;
      await http(
        'POST',
        `/api/content/${created.id}/finalize`,
        { master, ...(poster ? { poster } : {}), ...(durationSeconds ? { durationSeconds } : {}) },
        token,
      );
      return created.id;
    },
    async close() {
      await origin.close();
      await tracker.destroy();
      await rm(workDir, { recursive: true, force: true });
    },
  };
}
