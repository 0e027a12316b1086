import { createHmac, timingSafeEqual } from 'node:crypto';
import type { PrismaClient } from '../db/database.ts';

/** What decides who may fetch a content's published media. */
export interface MediaAccess {
  visibility: string;
  /** Bumped on every visibility change; a signed URL carries the epoch it was issued for. */
  mediaEpoch: number;
}

/** Marks a signed media path: `/media/~<token>/<contentId>/<publishId>/<file>`. */
export const SIGNED_PREFIX = '~';

const TOKEN = /^([0-9a-z]{1,12})\.(\d{1,9})\.([A-Za-z0-9_-]{22})$/;

export type SignatureCheck = { ok: true; epoch: number } | { ok: false; reason: 'expired' | 'invalid' };

/**
 * Signs media URLs of private and unlisted content: an HMAC over the published folder
 * (`<contentId>/<publishId>`), an expiry and the content's media epoch. The token is a path segment
 * in front of the folder, so every playlist, segment and key that a player resolves relative to the
 * master playlist carries it without rewriting the playlists.
 */
export class MediaUrlSigner {
  readonly #secret: Buffer;

  constructor(
    secret: Buffer,
    /** How long a signed URL works; long enough to watch a long video without re-fetching the payload. */
    readonly ttlSeconds: number,
    private readonly now: () => Date,
  ) {
    this.#secret = secret;
  }

  #mac(folder: string, expiry: number, epoch: number): string {
    return createHmac('sha256', this.#secret).update(`${folder}\n${expiry}\n${epoch}`).digest('base64url').slice(0, 22);
  }

  sign(folder: string, epoch: number): string {
    const expiry = Math.floor(this.now().getTime() / 1000) + this.ttlSeconds;
    return `${expiry.toString(36)}.${epoch}.${this.#mac(folder, expiry, epoch)}`;
  }

  /**
   * The same for every viewer of a folder at one media epoch, and unguessable without the secret:
   * names the P2P swarm of private and unlisted media (a new epoch, a new swarm).
   */
  swarmToken(folder: string, epoch: number): string {
    return createHmac('sha256', this.#secret).update(`swarm\n${folder}\n${epoch}`).digest('base64url').slice(0, 22);
  }

  verify(token: string, folder: string): SignatureCheck {
    const match = TOKEN.exec(token);
    if (!match) return { ok: false, reason: 'invalid' };
    const expiry = Number.parseInt(match[1]!, 36);
    const epoch = Number(match[2]);
    const expected = Buffer.from(this.#mac(folder, expiry, epoch));
    const given = Buffer.from(match[3]!);
    if (expected.length !== given.length || !timingSafeEqual(expected, given)) return { ok: false, reason: 'invalid' };
    if (expiry * 1000 <= this.now().getTime()) return { ok: false, reason: 'expired' };
    return { ok: true, epoch };
  }
}

/** The published folder (`<contentId>/<publishId>`) of a path below published/. */
export function publishedFolderOf(relative: string): string {
  return relative.split('/', 2).join('/');
}

/**
 * Absolute media URLs as one caller sees them: public content plain (cacheable by anyone),
 * private and unlisted content signed and expiring.
 */
export class MediaLinks {
  constructor(
    readonly baseUrl: string,
    private readonly signer: MediaUrlSigner,
  ) {}

  url(publishedPath: string | null, file: string | null, access: MediaAccess): string | null {
    if (!publishedPath || !file) return null;
    if (access.visibility === 'public') return `${this.baseUrl}/media/${publishedPath}/${file}`;
    const token = this.signer.sign(publishedFolderOf(publishedPath), access.mediaEpoch);
    return `${this.baseUrl}/media/${SIGNED_PREFIX}${token}/${publishedPath}/${file}`;
  }

  /**
   * The P2P swarm of a published ladder, the same for all its viewers (a signed URL differs per
   * viewer and would split them): its unsigned master path when public; for private and unlisted
   * media a name with a server-keyed token of the folder and media epoch, so that a path known from
   * earlier access does not open the swarm after the content was made private.
   */
  swarmId(publishedPath: string | null, file: string | null, access: MediaAccess): string | null {
    if (!publishedPath || !file) return null;
    if (access.visibility === 'public') return `/media/${publishedPath}/${file}`;
    return `/media/swarm-${this.signer.swarmToken(publishedFolderOf(publishedPath), access.mediaEpoch)}/${publishedPath}/${file}`;
  }
}

interface CachedAccess {
  access: (MediaAccess & { status: string }) | null;
  at: number;
}

/**
 * Visibility, status and media epoch per content for `/media`, read at most once a second per content
 * rather than once per segment. Changes made through this origin drop the entry at once.
 */
export class MediaAccessCache {
  readonly #entries = new Map<string, CachedAccess>();

  constructor(
    private readonly prisma: PrismaClient,
    private readonly ttlMs = 1000,
    private readonly maxEntries = 10_000,
  ) {}

  async get(contentId: string): Promise<CachedAccess['access']> {
    const now = Date.now();
    const cached = this.#entries.get(contentId);
    if (cached && now - cached.at < this.ttlMs) return cached.access;
    const access = await this.prisma.content.findUnique({ where: { id: contentId }, select: { visibility: true, mediaEpoch: true, status: true } });
    if (this.#entries.size >= this.maxEntries) this.#entries.clear();
    this.#entries.set(contentId, { access, at: now });
    return access;
  }

  invalidate(contentId: string): void {
    this.#entries.delete(contentId);
  }
}
