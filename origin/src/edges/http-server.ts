import { existsSync } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import cookie from '@fastify/cookie';
import cors from '@fastify/cors';
import { fastifyTRPCPlugin } from '@trpc/server/adapters/fastify';
import Fastify, { LogController, type FastifyInstance } from 'fastify';
import { fastifyTRPCOpenApiPlugin, generateOpenApiDocument } from 'trpc-to-openapi';
import { createRequestContext } from './request-context.ts';
import { appRouter } from './app-router.ts';
import { mediaRoutes } from './media-routes.ts';
import type { OriginServices } from '../core/services.ts';
import { RateLimitedError } from '../core/rate-limit.ts';
import { problemOf, sendProblem } from './problem.ts';
import { REQUEST_ID_HEADER, requestIdOf } from './request-id.ts';
import { jsonNestingDepthExceeds, MAX_JSON_DEPTH, MAX_TRPC_BATCH } from './request-limits.ts';

const JSON_BODY_LIMIT = 1024 * 1024;
export const PLAYER_DIST = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../web/dist');

/** Assembles the origin's HTTP surface: /trpc, /api (REST), /openapi.json, /healthz, /media, and the player at /. */
export async function buildServer(
  services: OriginServices,
  options: {
    ping: () => Promise<void>;
    /** Pino logger options: 5xx errors are logged at `error` with the request id; each request only at debug/trace. */
    logger: { level: string; stream?: { write(line: string): void } }; /** Serve HTTPS with this PEM pair (see tls-certificate.ts). */ https?: { cert: string; key: string } | null },
): Promise<FastifyInstance> {
  const app = Fastify({
    https: options.https ?? null,
    logger: options.logger,
    logController: new LogController({ disableRequestLogging: !['debug', 'trace'].includes(options.logger.level), requestIdLogLabel: 'requestId' }),
    genReqId: requestIdOf,
    bodyLimit: JSON_BODY_LIMIT,
    routerOptions: { ignoreTrailingSlash: true, maxParamLength: 2048 },
  });
  // Every answer names its request, so a user's report can be matched to the operator's log.
  app.addHook('onRequest', async (request, reply) => {
    void reply.header(REQUEST_ID_HEADER, request.id);
  });
  await app.register(cookie);
  // Players and the studio run on other origins; they authenticate with bearer tokens, not cookies.
  await app.register(cors, {
    origin: '*',
    methods: ['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE'],
    allowedHeaders: ['authorization', 'content-type', 'range', 'x-spherecast-viewer', 'trpc-accept'],
    exposedHeaders: ['content-length', 'content-range', 'accept-ranges', REQUEST_ID_HEADER, 'retry-after'],
    maxAge: 600,
  });

  app.setErrorHandler((error, request, reply) => {
    const { status, message } = problemOf(error);
    if (status >= 500) request.log.error({ err: error, url: request.url }, 'request failed');
    void sendProblem(reply, status, message);
  });

  const createContext = ({ req, res }: { req: unknown; res: unknown }) =>
    createRequestContext(services, req as Parameters<typeof createRequestContext>[1], res as Parameters<typeof createRequestContext>[2]);
  // The request's own logger carries its id; tRPC and REST both report through here.
  const onError = ({ error, path: procedure, req }: { error: { code: string; cause?: unknown }; path?: string | undefined; req: unknown }) => {
    if (error.code !== 'INTERNAL_SERVER_ERROR') return;
    const log = (req as { log?: FastifyInstance['log'] }).log ?? app.log;
    log.error({ err: error.cause ?? error, procedure }, 'procedure failed');
  };

  const tooDeepMessage = `The JSON body is nested more than ${MAX_JSON_DEPTH} levels deep. Send flatter data.`;
  // A refused attempt (sign-in throttle, playback session limit) tells the client when to retry.
  const responseMeta = ({ errors }: { errors: ReadonlyArray<{ cause?: unknown }> }) => {
    const limited = errors.map((error) => error.cause).filter((cause) => cause instanceof RateLimitedError);
    if (limited.length === 0) return {};
    return { headers: { 'retry-after': String(Math.max(...limited.map((cause) => cause.retryAfterSeconds))) } };
  };

  await app.register(async (trpc) => {
    // Every call of a batch is work (and a sign-in attempt): cap it, and say so in the client's words.
    trpc.addHook('onRequest', async (request, reply) => {
      const calls = trpcBatchSize(request.url);
      if (calls > MAX_TRPC_BATCH) {
        const message = `A batch may hold at most ${MAX_TRPC_BATCH} calls; this one has ${calls}. Send fewer calls per request (httpBatchLink maxItems).`;
        return reply.code(400).send({ error: { message, code: -32600, data: { code: 'BAD_REQUEST', httpStatus: 400 } } });
      }
    });
    // tRPC's own parser hands the body over as text (and GET inputs arrive in the query): same depth limit.
    trpc.addHook('preHandler', async (request, reply) => {
      const text = typeof request.body === 'string' ? request.body : (new URLSearchParams(request.url.split('?', 2)[1] ?? '').get('input') ?? '');
      if (jsonNestingDepthExceeds(text, MAX_JSON_DEPTH)) {
        return reply.code(400).send({ error: { message: tooDeepMessage, code: -32600, data: { code: 'BAD_REQUEST', httpStatus: 400 } } });
      }
    });
    await trpc.register(fastifyTRPCPlugin, {
      prefix: '/trpc',
      trpcOptions: { router: appRouter, createContext, onError, responseMeta, maxBatchSize: MAX_TRPC_BATCH },
    });
  });
  await app.register(async (api) => {
    // Deeply nested JSON would overflow the stack of whatever walks it: refused before it is parsed,
    // and Fastify's own parser (with its prototype-poisoning checks) does the rest.
    const defaultJsonParser = api.getDefaultJsonParser('error', 'ignore');
    api.removeContentTypeParser('application/json');
    api.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
      const text = typeof body === 'string' ? body : body.toString('utf8');
      if (jsonNestingDepthExceeds(text, MAX_JSON_DEPTH)) {
        done(Object.assign(new Error(tooDeepMessage), { statusCode: 400 }), undefined);
        return;
      }
      defaultJsonParser(request, text, done);
    });
    await api.register(fastifyTRPCOpenApiPlugin, { basePath: '/api', router: appRouter, createContext, onError, responseMeta });
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

/** How many procedure calls a /trpc request carries: the comma-separated paths of a batch (?batch=1), else 1. */
function trpcBatchSize(url: string): number {
  const [pathname = '', query = ''] = url.split('?', 2);
  if (!new URLSearchParams(query).has('batch')) return 1;
  let paths = pathname;
  try {
    paths = decodeURIComponent(pathname);
  } catch {
    // tRPC answers a malformed path itself.
  }
  return paths.split(',').length;
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
      return sendProblem(reply, 404, `No route for ${request.method} ${url}.`);
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
