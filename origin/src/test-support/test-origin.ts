import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { Role } from '@spherecast/shared';
import { createDirectContext } from '../edges/request-context.ts';
import { createCaller } from '../edges/app-router.ts';
import { hashPassword } from '../domains/auth/passwords.ts';
import { createSession } from '../core/sessions.ts';
import { createOrigin, type Origin, type OriginOptions } from '../origin.ts';
import { createTestDatabase, type DatabaseKind } from './databases.ts';

export interface TestUser {
  id: string;
  username: string;
  role: Role;
  token: string;
  /** tRPC caller acting as this user, through the same procedures HTTP clients reach. */
  caller: ReturnType<typeof createCaller>;
}

export interface TestOrigin {
  origin: Origin;
  url: string;
  /** tRPC caller for an anonymous visitor. */
  anonymous: ReturnType<typeof createCaller>;
  /** Creates a user straight in the database (fast) with a valid session. */
  user(username: string, role?: Role): Promise<TestUser>;
  /** Plain HTTP against the origin: JSON in, JSON (or text) out. */
  http(
    method: string,
    pathname: string,
    options?: { body?: unknown; token?: string; headers?: Record<string, string> },
  ): Promise<{ status: number; body: any; headers: Headers }>;
  close(): Promise<void>;
}

/** A real origin on a free port, with its own database of the given kind and a temp data folder. */
export async function startTestOrigin(kind: DatabaseKind, options: OriginOptions = {}): Promise<TestOrigin> {
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'spherecast-test-'));
  const database = await createTestDatabase(kind);
  const origin = await createOrigin({
    port: 0,
    host: '127.0.0.1',
    dataDir,
    mediaDir: path.join(dataDir, 'media'),
    seedDemo: false,
    trackerUrl: 'ws://127.0.0.1:1/tracker',
    logLevel: 'warn',
    database,
    ...options,
  });
  const services = origin.services;
  const callerFor = (user: { id: string; username: string; role: Role } | null) => createCaller(createDirectContext(services, user, origin.url));
  return {
    origin,
    url: origin.url,
    anonymous: callerFor(null),
    async user(username, role = 'creator') {
      const created = await services.prisma.user.create({
        data: { username, email: `${username}@example.test`, displayName: username, role, passwordHash: await hashPassword('password-123') },
        select: { id: true, username: true, role: true },
      });
      const session = await createSession(services.prisma, created.id, services.config.sessionTtlMs, services.now());
      return { ...created, token: session.token, caller: callerFor(created) };
    },
    async http(method, pathname, options = {}) {
      const headers: Record<string, string> = { ...options.headers };
      if (options.token) headers.authorization = `Bearer ${options.token}`;
      let body: string | undefined;
      if (options.body !== undefined) {
        headers['content-type'] = 'application/json';
        body = JSON.stringify(options.body);
      }
      const response = await fetch(`${origin.url}${pathname}`, { method, headers, body });
      const text = await response.text();
      let parsed: unknown = text;
      try {
        parsed = JSON.parse(text);
      } catch {
        // not JSON
      }
      return { status: response.status, body: parsed, headers: response.headers };
    },
    async close() {
      await origin.close();
      await database.close();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}
