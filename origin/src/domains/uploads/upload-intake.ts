import { createHash, randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { pipeline } from 'node:stream/promises';
import { Writable } from 'node:stream';
import { Server, EVENTS } from '@tus/server';
import { FileStore } from '@tus/file-store';
import { BucketUploadStore } from './bucket-upload-store.ts';
import { TUS_PATH, uploadCreateInput, type UploadStatus } from '@spherecast/shared';
import { formatBytes } from '@spherecast/shared/format';
import type { OriginConfig } from '../../core/config.ts';
import type { OriginServices } from '../../core/services.ts';
import { lookupSession, signInRequiredMessage, tokenFromRequest, type SessionUser } from '../../core/sessions.ts';
import { describeIssues } from '../../core/errors.ts';
import type { Prisma, PrismaClient } from '../../db/database.ts';

/** Where tus keeps web uploads: the local store, or the bucket (STORAGE=s3). */
export type SourceStore = FileStore | BucketUploadStore;

/**
 * The tus store of web uploads: with STORAGE=s3 the bucket (any origin continues any upload; see
 * bucket-upload-store.ts), else one file per upload id in UPLOADS_DIR with its info beside it.
 */
export function openSourceStore(config: Pick<OriginConfig, 'uploadsDir' | 'uploadExpiryMs' | 's3'>): SourceStore {
  if (config.s3) return new BucketUploadStore(config.s3, { expirationPeriodInMilliseconds: config.uploadExpiryMs });
  return new FileStore({ directory: config.uploadsDir, expirationPeriodInMilliseconds: config.uploadExpiryMs });
}

/** Largest web upload a user may send; 0 for roles that do not upload. */
export function uploadLimitFor(config: Pick<OriginConfig, 'uploadMaxBytes'>, role: SessionUser['role']): number {
  // Advertisers upload their ads' creatives (#14), with a creator's limit.
  return role === 'admin' ? config.uploadMaxBytes.admin : role === 'creator' || role === 'advertiser' ? config.uploadMaxBytes.creator : 0;
}

/** A tus error answer (@tus/server sends `status_code` and `body`): a sentence saying what to do. */
class TusRefusal extends Error {
  override name = 'TusRefusal';
  readonly body: string;
  constructor(
    readonly status_code: number,
    message: string,
  ) {
    super(message);
    this.body = `${message}\n`;
  }
}

function refusal(status: number, message: string): TusRefusal {
  return new TusRefusal(status, message);
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export interface UploadIntakeOptions {
  /** Called once an upload's bytes are all in and it is not a duplicate: queue it for processing. */
  onComplete(uploadId: string): Promise<void>;
  /** How often expired partial uploads are looked for. Default a quarter of UPLOAD_EXPIRY_HOURS, at most 10 min. */
  sweepIntervalMs?: number;
  log?: (message: string, fields?: Record<string, unknown>) => void;
}

/**
 * Receives web uploads with the tus protocol (@tus/server 2 on @tus/file-store) at TUS_PATH.
 * Every request carries the uploader's bearer token (or session cookie); an upload is created either
 * by `POST /api/uploads` (then PATCHed here) or by a tus `POST` with `contentId` and `filename`
 * metadata. Sizes are bounded per role; a finished upload is hashed, recognised when the same
 * creator already sent the same bytes, and otherwise handed to `onComplete`. Partial uploads older
 * than UPLOAD_EXPIRY_HOURS are removed by `sweep` (a timer between `start()` and `destroy()`).
 */
export class UploadIntake {
  readonly tus: Server;
  readonly store: SourceStore;
  readonly #services: OriginServices;
  readonly #options: UploadIntakeOptions;
  readonly #callers = new WeakMap<object, Promise<SessionUser>>();
  #timer: NodeJS.Timeout | undefined;

  constructor(services: OriginServices, options: UploadIntakeOptions) {
    this.#services = services;
    this.#options = options;
    this.store = openSourceStore(services.config);
    this.tus = new Server({
      path: TUS_PATH,
      datastore: this.store,
      relativeLocation: true,
      respectForwardedHeaders: false,
      postReceiveInterval: 1000,
      namingFunction: () => randomUUID(),
      maxSize: async (req) => uploadLimitFor(services.config, (await this.#caller(req)).role),
      onIncomingRequest: async (req, uploadId) => this.#authorise(req, uploadId),
      onUploadCreate: async (req, upload) => this.#createFromTus(req, upload),
      onUploadFinish: async (_req, upload) => {
        await this.#finish(upload.id);
        return {};
      },
      onResponseError: (_req, error) => {
        if ('status_code' in error) return undefined;
        options.log?.('tus request failed', { err: error });
        const failure = refusal(500, 'The upload could not be stored on the server. Resume it in a moment; your progress is kept.');
        return { status_code: failure.status_code, body: failure.body };
      },
    });
    this.tus.on(EVENTS.POST_RECEIVE, (_req, upload) => {
      void services.prisma.sourceUpload
        .updateMany({
          where: { id: upload.id, status: 'uploading' },
          data: { receivedBytes: BigInt(upload.offset), progress: upload.size ? Math.min(1, upload.offset / upload.size) : 0 },
        })
        .catch(() => undefined);
    });
  }

  start(): void {
    if (this.#timer) return;
    const every = this.#options.sweepIntervalMs ?? Math.min(10 * 60_000, this.#services.config.uploadExpiryMs / 4);
    this.#timer = setInterval(() => {
      this.sweep().catch((error: unknown) => this.#options.log?.('removing expired uploads failed', { err: error }));
    }, every);
    this.#timer.unref();
  }

  destroy(): void {
    clearInterval(this.#timer);
    this.#timer = undefined;
  }

  /** Hands a Node request to tus (the edge routes TUS_PATH here). */
  handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    return this.tus.handle(req, res);
  }

  /**
   * Removes partial uploads older than UPLOAD_EXPIRY_HOURS (their bytes and info) and marks them
   * failed with a reason. Returns how many were removed.
   */
  async sweep(): Promise<number> {
    const { prisma } = this.#services;
    const now = this.#services.now();
    const expired = await prisma.sourceUpload.findMany({ where: { status: 'uploading', expiresAt: { lt: now } }, select: { id: true }, take: 1000 });
    const hours = Math.round((this.#services.config.uploadExpiryMs / 3600_000) * 10) / 10;
    for (const { id } of expired) {
      await this.store.remove(id).catch(() => undefined);
      await prisma.sourceUpload.updateMany({
        where: { id, status: 'uploading' },
        data: {
          status: 'failed',
          progress: 0,
          error: `The upload was not finished within ${hours} hours, so its partial data was removed. Start the upload again.`,
        },
      });
    }
    // Uploads tus knows of that no row does (a crash between the two): tus's own expiry removes them.
    await this.tus.cleanUpExpiredUploads().catch(() => 0);
    return expired.length;
  }

  /** The signed-in uploader of a tus request; throws a tus refusal otherwise. */
  #caller(req: Request): Promise<SessionUser> {
    let caller = this.#callers.get(req);
    if (!caller) {
      caller = (async () => {
        const headers = { authorization: req.headers.get('authorization') ?? undefined };
        const cookies = Object.fromEntries(
          (req.headers.get('cookie') ?? '')
            .split(';')
            .map((part) => part.trim().split('='))
            .filter((pair): pair is [string, string] => pair.length === 2)
            .map(([name, value]) => [name, decodeURIComponent(value)]),
        );
        const token = tokenFromRequest(headers, cookies);
        if (!token) throw refusal(401, signInRequiredMessage(null, 'upload'));
        const session = await lookupSession(this.#services.prisma, token, this.#services.now());
        if (session.status !== 'valid') throw refusal(401, signInRequiredMessage(session.status, 'upload'));
        if (uploadLimitFor(this.#services.config, session.user.role) === 0) {
          throw refusal(403, 'Only creator accounts can upload videos. Ask the operator to make your account a creator.');
        }
        return session.user;
      })();
      this.#callers.set(req, caller);
    }
    return caller;
  }

  /** HEAD, PATCH and DELETE: only the uploader may touch an upload, and only while it is uploading. */
  async #authorise(req: Request, uploadId: string): Promise<void> {
    const user = await this.#caller(req);
    if (req.method === 'POST') return;
    const row = UUID.test(uploadId)
      ? await this.#services.prisma.sourceUpload.findUnique({ where: { id: uploadId }, select: { ownerId: true, status: true, error: true } })
      : null;
    if (!row || row.ownerId !== user.id) throw refusal(404, 'No such upload. Start a new upload with POST /api/uploads.');
    if (req.method === 'PATCH' && row.status !== 'uploading') {
      throw refusal(
        409,
        row.status === 'failed' ? `This upload has failed: ${row.error ?? ''} Start a new upload.` : 'This upload is complete; nothing more can be sent to it.',
      );
    }
  }

  /** A tus client creating the upload itself (POST with `contentId` and `filename` metadata). */
  async #createFromTus(req: Request, upload: { id: string; size?: number | undefined; metadata?: Record<string, string | null> | undefined }) {
    const user = await this.#caller(req);
    const parsed = uploadCreateInput.safeParse({
      contentId: upload.metadata?.contentId,
      fileName: upload.metadata?.filename ?? upload.metadata?.name,
      size: upload.size,
    });
    if (!parsed.success) {
      throw refusal(400, `Upload-Metadata must carry contentId and filename, and Upload-Length the size: ${describeIssues(parsed.error.issues)}`);
    }
    const problem = await checkUploadTarget(this.#services, user, parsed.data);
    if (problem) throw refusal(problem.status, problem.message);
    await this.#services.prisma.sourceUpload.create({ data: newUploadRow(this.#services, user, upload.id, parsed.data) });
    return {};
  }

  /** All bytes are in: hash them, recognise a duplicate, or queue the upload. */
  async #finish(uploadId: string): Promise<void> {
    const { prisma } = this.#services;
    const row = await prisma.sourceUpload.findUnique({
      where: { id: uploadId },
      select: { id: true, contentId: true, ownerId: true, size: true, status: true },
    });
    if (!row || row.status !== 'uploading') return;
    const hash = createHash('sha256');
    await pipeline(
      await this.store.read(uploadId),
      new Writable({
        write(chunk: Buffer, _encoding, callback) {
          hash.update(chunk);
          callback();
        },
      }),
    );
    const sha256 = hash.digest('hex');
    // One completion per creator decides at a time (a row lock on the creator): two uploads of the same
    // bytes finishing at the same moment, on one origin or two, cannot both find no original.
    // The storage quota is checked again under the same lock: uploads opened side by side each fit
    // what was left when they were opened, but only those that complete first are stored.
    const outcome = await prisma.$transaction(async (tx): Promise<'duplicate' | 'over-quota' | 'queued'> => {
      const [owner] = await tx.$queryRaw<Array<{ role: SessionUser['role'] }>>`SELECT "role" FROM "User" WHERE "id" = ${row.ownerId}::uuid FOR UPDATE`;
      const earlier = await tx.sourceUpload.findFirst({
        where: { ownerId: row.ownerId, sha256, id: { not: uploadId }, status: { not: 'failed' }, duplicateOfId: null },
        orderBy: { createdAt: 'asc' },
        select: { id: true },
      });
      if (earlier) {
        await tx.sourceUpload.update({
          where: { id: uploadId },
          data: { sha256, receivedBytes: row.size, duplicateOfId: earlier.id, status: 'ready', progress: 1 },
        });
        return 'duplicate';
      }
      const quota = storageQuotaFor(this.#services.config, owner?.role ?? 'creator');
      if (quota !== null) {
        // Raw uploads still being sent are not counted here: they are checked when they complete.
        const used = await storedBytes(tx, row.ownerId, PROCESSING_STATUSES, uploadId);
        if (used + Number(row.size) > quota) {
          await tx.sourceUpload.update({
            where: { id: uploadId },
            data: { sha256, receivedBytes: row.size, status: 'failed', progress: 0, error: quotaMessage(used, quota, Number(row.size)) },
          });
          await tx.content.updateMany({ where: { id: row.contentId, publishedPath: null }, data: { status: 'failed' } });
          return 'over-quota';
        }
      }
      await tx.sourceUpload.update({ where: { id: uploadId }, data: { sha256, receivedBytes: row.size, status: 'queued', progress: 0 } });
      return 'queued';
    });
    if (outcome !== 'queued') {
      await this.store.remove(uploadId).catch(() => undefined);
      return;
    }
    await prisma.content.updateMany({ where: { id: row.contentId, status: { in: ['draft', 'failed'] } }, data: { status: 'processing' } });
    await this.#options.onComplete(uploadId);
  }
}

/** Why this user may not upload a video of this size into this content, or null when they may. */
export async function checkUploadTarget(
  services: Pick<OriginServices, 'prisma' | 'config'>,
  user: SessionUser,
  input: { contentId: string; size: number },
): Promise<{ status: number; message: string } | null> {
  const limit = uploadLimitFor(services.config, user.role);
  if (limit === 0) return { status: 403, message: 'Only creator accounts can upload videos. Ask the operator to make your account a creator.' };
  if (input.size > limit) {
    return {
      status: 413,
      message: `The file is ${formatBytes(input.size)}, more than the ${formatBytes(limit)} a ${user.role} may upload. Trim or re-encode it at a lower bit rate, then upload it again.`,
    };
  }
  const content = await services.prisma.content.findUnique({ where: { id: input.contentId }, select: { ownerId: true, kind: true } });
  if (!content || (content.ownerId !== user.id && user.role !== 'admin')) {
    return { status: 404, message: 'No such content of yours. Create the content first (POST /api/content), then upload its video.' };
  }
  if (content.kind !== 'video') {
    return { status: 409, message: `This content is a ${content.kind}: only a video content takes an uploaded video. Create a video content for it.` };
  }
  const busy = await services.prisma.sourceUpload.findFirst({
    where: { contentId: input.contentId, status: { in: ['queued', 'probing', 'checking', 'transcoding', 'publishing'] } },
    select: { id: true },
  });
  if (busy) return { status: 409, message: 'A video of this content is being processed. Wait until it is ready or has failed, then upload again.' };
  // Before any byte is sent: the declared size must fit what is left of the uploader's quota, counting
  // the raw uploads they are still sending or that wait for processing.
  const quota = storageQuotaFor(services.config, user.role);
  if (quota !== null) {
    const used = await storedBytes(services.prisma, user.id, ['uploading', ...PROCESSING_STATUSES]);
    if (used + input.size > quota) return { status: 413, message: quotaMessage(used, quota, input.size) };
  }
  return null;
}

const PROCESSING_STATUSES = ['queued', 'probing', 'checking', 'transcoding', 'publishing'] as const;

/** What a user may store in total (STORAGE_QUOTA_MB for creators; admins have no quota), or null for no limit. */
export function storageQuotaFor(config: Pick<OriginConfig, 'storageQuotaBytes'>, role: SessionUser['role']): number | null {
  return role === 'admin' ? null : config.storageQuotaBytes;
}

/**
 * Bytes a user stores against their quota: their staged and published media files (a processed web
 * upload's ladder among them, as the studio's uploads count) and their raw uploads in `rawStatuses`
 * (duplicates, whose bytes are dropped, do not count), other than `except`.
 */
async function storedBytes(
  prisma: PrismaClient | Prisma.TransactionClient,
  ownerId: string,
  rawStatuses: readonly UploadStatus[],
  except?: string,
): Promise<number> {
  const media = await prisma.upload.aggregate({ where: { content: { ownerId }, status: { in: ['staged', 'published'] } }, _sum: { size: true } });
  const raw = await prisma.sourceUpload.aggregate({
    where: { ownerId, status: { in: [...rawStatuses] }, duplicateOfId: null, ...(except ? { id: { not: except } } : {}) },
    _sum: { size: true },
  });
  return Number(media._sum.size ?? 0n) + Number(raw._sum.size ?? 0n);
}

function quotaMessage(used: number, quota: number, size: number): string {
  return `Storage quota exceeded: this account stores ${formatBytes(used)} of its ${formatBytes(quota)}, and this file is ${formatBytes(size)} (${formatBytes(Math.max(0, quota - used))} left). Delete content you no longer need, or ask the operator to raise STORAGE_QUOTA_MB.`;
}

/** The row of a new upload (status `uploading`), expiring after UPLOAD_EXPIRY_HOURS. */
export function newUploadRow(
  services: Pick<OriginServices, 'config' | 'now'>,
  user: SessionUser,
  id: string,
  input: { contentId: string; fileName: string; size: number },
) {
  return {
    id,
    contentId: input.contentId,
    ownerId: user.id,
    fileName: input.fileName,
    size: BigInt(input.size),
    status: 'uploading' as const,
    expiresAt: new Date(services.now().getTime() + services.config.uploadExpiryMs),
  };
}
