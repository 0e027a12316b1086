import { existsSync } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import cookie from '@fastify/cookie';
import cors from '@fastify/cors';
import { fastifyTRPCPlugin } from '@trpc/server/adapters/fastify';
import Fastify, { type FastifyInstance } from 'fastify';
import { fastifyTRPCOpenApiPlugin, generateOpenApiDocument } from 'trpc-to-openapi';
import { createRequestContext } from './request-context.ts';
import { appRouter } from './app-router.ts';
import { mediaRoutes } from './media-routes.ts';
import type { OriginServices } from '../core/services.ts';

const JSON_BODY_LIMIT = 1024 * 1024;
export const PLAYER_DIST = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../web/dist');

/** Assembles the origin's HTTP surface: /trpc, /api (REST), /openapi.json, /healthz, /media, and the player at /. */
export async function buildServer(services: OriginServices, options: { ping: () => Promise<void>; logger: boolean | { level: string } }): Promise<FastifyInstance> {
  const app = Fastify({ logger: options.logger, bodyLimit: JSON_BODY_LIMIT, routerOptions: { ignoreTrailingSlash: true, maxParamLength: 2048 } });
  await app.register(cookie);
  // Players and the studio run on other origins; they authenticate with bearer tokens, not cookies.
  await app.register(cors, {
    origin: '*',
    methods: ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE'],
    allowedHeaders: ['authorization', 'content-type', 'range', 'x-spherecast-viewer', 'trpc-accept'],
    exposedHeaders: ['content-length', 'content-range', 'accept-ranges'],
    maxAge: 600,
  });

  app.setErrorHandler((error: { statusCode?: number; message: string }, request, reply) => {
    const status = error.statusCode && error.statusCode >= 400 && error.statusCode < 500 ? error.statusCode : 500;
    if (status === 500) request.log.error({ err: error }, 'unhandled error');
    const message =
      status === 413
        ? 'The request body is too large.'
        : status < 500
          ? error.message
          : 'Something went wrong on the server. Try again; if it keeps happening, contact the operator.';
    void reply.code(status).type('application/json').send({ message, status });
  });

  const createContext = ({ req, res }: { req: unknown; res: unknown }) =>
    createRequestContext(services, req as Parameters<typeof createRequestContext>[1], res as Parameters<typeof createRequestContext>[2]);
  const onError = ({ error, path: procedure }: { error: { code: string; cause?: unknown }; path?: string | undefined }) => {
    if (error.code === 'INTERNAL_SERVER_ERROR') app.log.error({ err: error.cause ?? error, procedure }, 'procedure failed');
  };

  await app.register(fastifyTRPCPlugin, {
    prefix: '/trpc',
    trpcOptions: { router: appRouter, createContext, onError },
  });
  await app.register(async (api) => {
    await api.register(fastifyTRPCOpenApiPlugin, { basePath: '/api', router: appRouter, createContext, onError });
  });

  let openApiDocument: unknown;
  app.get('/openapi.json', async (request) => {
    openApiDocument ??= generateOpenApiDocument(appRouter, {
      title: 'Spherecast origin API',
      version: '1.0.0',
      baseUrl: `${request.protocol}://${request.headers.host ?? 'localhost'}/api`,
      securitySchemes: { bearerAuth: { type: 'http', scheme: 'bearer' } },
    });
    return openApiDocument;
  });

  app.get('/healthz', async (_request, reply) => {
    try {
      await options.ping();
      return { ok: true };
    } catch {
      return reply.code(503).send({ ok: false, message: 'The database is not reachable.' });
    }
  });

  await app.register(async (media) => mediaRoutes(media, services));
  registerPlayer(app);
  return app;
}

/** The player is a single-page app: known files are served, any other GET gets index.html. */
function registerPlayer(app: FastifyInstance) {
  const types: Record<string, string> = {
    '.html': 'text/html; charset=utf-8',
    '.js': 'text/javascript; charset=utf-8',
    '.css': 'text/css; charset=utf-8',
    '.svg': 'image/svg+xml',
    '.png': 'image/png',
    '.jpg': 'image/jpeg',
    '.ico': 'image/x-icon',
    '.json': 'application/json',
    '.wasm': 'application/wasm',
    '.woff2': 'font/woff2',
  };
  app.setNotFoundHandler(async (request, reply) => {
    const url = request.url.split('?')[0] ?? '/';
    if (request.method !== 'GET' || /^\/(api|trpc|media)(\/|$)/.test(url)) {
      return reply.code(404).send({ message: `No route for ${request.method} ${url}.`, status: 404 });
    }
    if (!existsSync(PLAYER_DIST)) {
      return reply
        .type('text/html; charset=utf-8')
        .send('<!doctype html><title>Spherecast</title><p>The player is not built. Run <code>npm run build -w origin</code> (npm start does it).</p>');
    }
    const candidate = path.resolve(PLAYER_DIST, `.${decodeURIComponent(url)}`);
    if (candidate.startsWith(PLAYER_DIST + path.sep)) {
      const info = await stat(candidate).catch(() => null);
      if (info?.isFile()) {
        const ext = path.extname(candidate);
        reply.header('cache-control', url.startsWith('/assets/') ? 'public, max-age=31536000, immutable' : 'no-cache');
        return reply.type(types[ext] ?? 'application/octet-stream').send(await readFile(candidate));
      }
    }
    reply.header('cache-control', 'no-cache');
    return reply.type('text/html; charset=utf-8').send(await readFile(path.join(PLAYER_DIST, 'index.html')));
  });
}
