import { existsSync } from 'node:fs';
import { readFile, stat } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import zlib from 'node:zlib';
import compress, { type FastifyCompressOptions } from '@fastify/compress';
import cookie from '@fastify/cookie';
import cors from '@fastify/cors';
import { fastifyTRPCPlugin } from '@trpc/server/adapters/fastify';
import Fastify, { LogController, type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import { fastifyTRPCOpenApiPlugin, generateOpenApiDocument } from 'trpc-to-openapi';
import { createRequestContext } from './request-context.ts';
import { appRouter } from './app-router.ts';
import { mediaRoutes } from './media-routes.ts';
import { tourMediaRoutes } from './tour-media-routes.ts';
import { liveRoutes } from './live-routes.ts';
import { capRoutes } from './cap-routes.ts';
import { adsRoutes } from './ads-routes.ts';
import { uploadRoutes, type TusHandler } from './upload-routes.ts';
import { endEventStreamsOnClose } from './event-streams.ts';
import type { OriginServices } from '../core/services.ts';
import { RateLimitedError } from '../core/rate-limit.ts';
import { problemOf, sendProblem } from './problem.ts';
import { appPageWithPreview } from './link-preview.ts';
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
    logger: { level: string; stream?: { write(line: string): void } };
    /** Serve HTTPS with this PEM pair (see tls-certificate.ts). */ https?: { cert: string; key: string } | null;
    /** The tus intake of web uploads, served at TUS_PATH. */
    uploads?: TusHandler;
  },
): Promise<FastifyInstance> {
  const app = Fastify({
    https: options.https ?? null,
    logger: options.logger,
    logController: new LogController({ disableRequestLogging: !['debug', 'trace'].includes(options.logger.level), requestIdLogLabel: 'requestId' }),
    genReqId: requestIdOf,
    bodyLimit: JSON_BODY_LIMIT,
    routerOptions: { ignoreTrailingSlash: true, maxParamLength: 2048 },
  });
  endEventStreamsOnClose(app);
  // Every answer names its request, so a user's report can be matched to the operator's log.
  app.addHook('onRequest', async (request, reply) => {
    void reply.header(REQUEST_ID_HEADER, request.id);
  });
  await app.register(compress, API_COMPRESSION);
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
    // A client that went away mid-answer (a page closing during a keepalive heartbeat) is not a server fault.
    if ((error as NodeJS.ErrnoException).code === 'ERR_STREAM_PREMATURE_CLOSE' || request.raw.destroyed) {
      request.log.debug({ url: request.url }, 'client closed the connection before the answer was sent');
      return;
    }
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
      void defaultJsonParser(request, text, done);
    });
    // trpc-to-openapi's route handler calls reply.send() and resolves with undefined. When compression
    // streams a large answer, the reply is not finished by then, so Fastify sent a second, empty answer
    // (200, content-length 0) for every JSON answer above the compressor's synchronous size. Returning
    // the reply tells Fastify the handler has answered.
    api.addHook('onRoute', (route) => {
      const handler = route.handler;
      route.handler = async function (this: typeof api, request, reply) {
        await handler.call(this, request, reply);
        return reply;
      };
    });
    await api.register(fastifyTRPCOpenApiPlugin, { basePath: '/api', router: appRouter, createContext, onError, responseMeta });
  });

  let openApiDocument: unknown;
  app.get('/openapi.json', (request) => {
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

  await app.register((media, _options, done) => {
    mediaRoutes(media, services);
    done();
  });
  await app.register((cap, _options, done) => {
    capRoutes(cap, services);
    done();
  });
  await app.register((ads, _options, done) => {
    adsRoutes(ads, services);
    done();
  });
  await app.register((live, _options, done) => {
    liveRoutes(live, services);
    done();
  });
  await app.register((tourMedia, _options, done) => {
    tourMediaRoutes(tourMedia, services);
    done();
  });
  const { uploads } = options;
  if (uploads) {
    await app.register((tus, _options, done) => {
      uploadRoutes(tus, uploads);
      done();
    });
  }
  registerPlayer(app, services);
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

/**
 * Compression of API answers (JSON only, from 1 KiB): search pages and content lists shrink about 5x.
 * Media (segments, ranges) and the player's files (precompressed at build) are left alone.
 */
export const API_COMPRESSION: FastifyCompressOptions = {
  global: true,
  globalDecompression: false,
  threshold: 1024,
  encodings: ['br', 'gzip'],
  customTypes: /^application\/(?:[\w.+-]*\+)?json(?:;|$)/,
  // Brotli 4 compresses JSON about as well as gzip 9 at a fraction of quality 11's CPU.
  brotliOptions: { params: { [zlib.constants.BROTLI_PARAM_QUALITY]: 4 } },
  zlibOptions: { level: 6 },
};

const PLAYER_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.webp': 'image/webp',
  '.ico': 'image/x-icon',
  '.json': 'application/json',
  '.map': 'application/json',
  '.txt': 'text/plain; charset=utf-8',
  '.xml': 'application/xml',
  '.wasm': 'application/wasm',
  '.woff2': 'font/woff2',
};

/** The encodings of `accept-encoding` with a non-zero weight, best first; identity when none. */
export function acceptedEncodings(header: string | undefined): ('br' | 'gzip')[] {
  const weights = new Map<string, number>();
  for (const part of (header ?? '').split(',')) {
    const [name = '', ...params] = part.trim().toLowerCase().split(';');
    const q = params.map((p) => p.trim()).find((p) => p.startsWith('q='));
    const weight = q ? Number(q.slice(2)) : 1;
    if (name) weights.set(name, Number.isFinite(weight) ? weight : 0);
  }
  const wildcard = weights.get('*');
  const weightOf = (name: string): number => weights.get(name) ?? wildcard ?? 0;
  return (['br', 'gzip'] as const).filter((name) => weightOf(name) > 0).sort((a, b) => weightOf(b) - weightOf(a));
}

/**
 * Sends a file of the player build, or its brotli/gzip copy written at build (origin/web/build/precompress.ts)
 * when the request accepts it.
 */
async function sendPlayerFile(request: FastifyRequest, reply: FastifyReply, file: string, cacheControl: string) {
  reply.header('cache-control', cacheControl);
  reply.type(PLAYER_TYPES[path.extname(file)] ?? 'application/octet-stream');
  const variants = { br: `${file}.br`, gzip: `${file}.gz` } as const;
  const available = await Promise.all(
    (['br', 'gzip'] as const).map(async (encoding) => ((await stat(variants[encoding]).catch(() => null))?.isFile() ? encoding : null)),
  );
  if (available.some(Boolean)) {
    reply.header('vary', 'Accept-Encoding');
    const encoding = acceptedEncodings(request.headers['accept-encoding']).find((e) => available.includes(e));
    if (encoding) {
      reply.header('content-encoding', encoding);
      return reply.send(await readFile(variants[encoding]));
    }
  }
  return reply.send(await readFile(file));
}

/** The public origin as the client reached it, for absolute URLs in robots.txt and the sitemap. */
function publicBase(request: FastifyRequest): string {
  return `${request.protocol}://${request.headers.host ?? 'localhost'}`;
}

const escapeXml = (text: string): string => text.replace(/[<>&'"]/g, (c) => `&#${c.charCodeAt(0)};`);
/** A sitemap holds at most 50,000 URLs (sitemaps.org). */
const SITEMAP_MAX_URLS = 50_000;

/** The player is a single-page app: known files are served, any other GET gets index.html. */
function registerPlayer(app: FastifyInstance, services: OriginServices) {
  // Crawlers may read the public pages; the API, media and personal pages are not for indexing.
  app.get('/robots.txt', async (request, reply) => {
    reply.header('cache-control', 'public, max-age=3600');
    return reply
      .type('text/plain; charset=utf-8')
      .send(
        [
          'User-agent: *',
          'Allow: /',
          'Disallow: /api/',
          'Disallow: /trpc/',
          'Disallow: /media/',
          'Disallow: /history',
          'Disallow: /likes',
          'Disallow: /signin',
          'Disallow: /register',
          '',
          `Sitemap: ${publicBase(request)}/sitemap.xml`,
          '',
        ].join('\n'),
      );
  });
  // Public content that anyone may watch, newest first, and the profiles of their creators.
  app.get('/sitemap.xml', async (request, reply) => {
    const base = publicBase(request);
    const contents = await services.prisma.content.findMany({
      where: { visibility: 'public', status: { in: ['ready', 'live'] } },
      select: { id: true, updatedAt: true, owner: { select: { username: true } } },
      orderBy: { updatedAt: 'desc' },
      take: SITEMAP_MAX_URLS - 1,
    });
    const urls: { loc: string; lastmod?: Date }[] = [{ loc: `${base}/` }];
    const owners = new Set<string>();
    for (const content of contents) {
      urls.push({ loc: `${base}/watch/${content.id}`, lastmod: content.updatedAt });
      owners.add(content.owner.username);
    }
    for (const username of owners) if (urls.length < SITEMAP_MAX_URLS) urls.push({ loc: `${base}/u/${encodeURIComponent(username)}` });
    // Destinations are public pages with their own link previews.
    const destinations = await services.prisma.destination.findMany({
      select: { id: true, updatedAt: true },
      orderBy: { updatedAt: 'desc' },
      take: Math.max(0, SITEMAP_MAX_URLS - urls.length),
    });
    for (const destination of destinations) urls.push({ loc: `${base}/destinations/${destination.id}`, lastmod: destination.updatedAt });
    const body = [
      '<?xml version="1.0" encoding="UTF-8"?>',
      '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">',
      ...urls.map(({ loc, lastmod }) => `  <url><loc>${escapeXml(loc)}</loc>${lastmod ? `<lastmod>${lastmod.toISOString()}</lastmod>` : ''}</url>`),
      '</urlset>',
      '',
    ].join('\n');
    reply.header('cache-control', 'public, max-age=600');
    return reply.type('application/xml; charset=utf-8').send(body);
  });

  app.setNotFoundHandler(async (request, reply) => {
    const url = request.url.split('?')[0] ?? '/';
    if (request.method !== 'GET' || /^\/(api|trpc|media)(\/|$)/.test(url)) {
      return sendProblem(reply, 404, `No route for ${request.method} ${url}.`);
    }
    if (!existsSync(PLAYER_DIST)) {
      const notBuilt = '<!doctype html><title>Spherecast</title><p>The player is not built. Run <code>npm run build -w origin</code> (npm start does it).</p>';
      const page = await appPageWithPreview(services, request, () => Promise.resolve(notBuilt));
      return reply.type('text/html; charset=utf-8').send(page ?? notBuilt);
    }
    let decoded = url;
    try {
      decoded = decodeURIComponent(url);
    } catch {
      // A malformed escape names no file: the app answers (its not-found page).
    }
    const candidate = path.resolve(PLAYER_DIST, `.${decoded}`);
    // The compressed copies are served through their original's name only.
    if (candidate.startsWith(PLAYER_DIST + path.sep) && !/\.(br|gz)$/.test(candidate)) {
      const info = await stat(candidate).catch(() => null);
      if (info?.isFile()) {
        // Hashed file names never change content: cached for a year; anything else is revalidated.
        return sendPlayerFile(request, reply, candidate, url.startsWith('/assets/') ? 'public, max-age=31536000, immutable' : 'no-cache');
      }
    }
    // Shareable pages carry their link preview (Open Graph, Twitter card) for crawlers.
    const page = await appPageWithPreview(services, request, () => readFile(path.join(PLAYER_DIST, 'index.html'), 'utf8'));
    if (page) return reply.header('cache-control', 'no-cache').type('text/html; charset=utf-8').send(page);
    return sendPlayerFile(request, reply, path.join(PLAYER_DIST, 'index.html'), 'no-cache');
  });
}
