import { createHash, createHmac } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import type { Readable } from 'node:stream';
import {
  CopyObjectCommand,
  DeleteObjectsCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListObjectsV2Command,
  NoSuchKey,
  NotFound,
  PutObjectCommand,
  S3Client,
} from '@aws-sdk/client-s3';
import { mediaContentType } from '@spherecast/shared/http';

/** Where published media live when STORAGE=s3: an S3-compatible bucket (AWS S3, MinIO, Ceph, R2, s3rver in tests). */
export interface S3StorageConfig {
  /** e.g. https://s3.eu-central-1.amazonaws.com or http://minio:9000; unset: AWS's endpoint for the region. */
  endpoint: string | undefined;
  bucket: string;
  region: string;
  accessKeyId: string;
  secretAccessKey: string;
  /** Bucket in the path (http://host/bucket/key), as MinIO and s3rver need; AWS takes either. */
  forcePathStyle: boolean;
  /** Key prefix below which published media go (default `published/`). */
  prefix?: string;
}

/** A published file as it is read for serving: its size and date, and its bytes on demand. */
export interface PublishedObject {
  size: number;
  modified: Date;
  /** The bytes from `start` to `end` inclusive (the whole file without a range). */
  read(range?: { start: number; end: number }): Promise<Readable>;
  /** Set when the file is an object in the bucket (its path below published/), so it can be served from there. */
  inBucket?: string;
}

const PAGE = 1000;
/** Server-side copies sent at once (a caption change copies a whole version). */
const COPY_CONCURRENCY = 8;

/** URI encoding as Signature Version 4 wants it: RFC 3986 unreserved characters only. */
function encodeRfc3986(text: string): string {
  return encodeURIComponent(text).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

/**
 * Published media in an S3 bucket. Keys mirror the local layout below `published/`
 * (`<contentId>/<publishId>/<file>`): a publish writes a new prefix, which nothing refers to until the
 * database commit points the content at it, so uploads need no atomic rename.
 */
export class S3MediaObjects {
  readonly #client: S3Client;
  readonly #bucket: string;
  readonly #prefix: string;
  readonly #config: S3StorageConfig;

  constructor(config: S3StorageConfig) {
    this.#config = config;
    this.#client = new S3Client({
      region: config.region,
      ...(config.endpoint ? { endpoint: config.endpoint } : {}),
      forcePathStyle: config.forcePathStyle,
      // Checksums only where S3 requires them: the SDK's default sends streamed bodies as aws-chunked
      // with trailing checksums, which many S3-compatible servers (s3rver, older MinIO, Ceph) store
      // as part of the object (found by media-store-s3.test.ts: a 5000-byte file stored as 5044).
      requestChecksumCalculation: 'WHEN_REQUIRED',
      responseChecksumValidation: 'WHEN_REQUIRED',
      credentials: { accessKeyId: config.accessKeyId, secretAccessKey: config.secretAccessKey },
    });
    this.#bucket = config.bucket;
    this.#prefix = config.prefix ?? 'published/';
  }

  #key(relative: string): string {
    return `${this.#prefix}${relative}`;
  }

  /** Uploads a local file as `relative` (below published/). */
  async putFile(relative: string, file: string): Promise<void> {
    const { size } = await stat(file);
    await this.#client.send(
      new PutObjectCommand({
        Bucket: this.#bucket,
        Key: this.#key(relative),
        Body: createReadStream(file),
        ContentLength: size,
        ContentType: mediaContentType(relative),
      }),
    );
  }

  /** Stores a small text file (a playlist, captions) as `relative` (below published/). */
  async putText(relative: string, text: string): Promise<void> {
    const body = Buffer.from(text, 'utf8');
    await this.#client.send(
      new PutObjectCommand({ Bucket: this.#bucket, Key: this.#key(relative), Body: body, ContentLength: body.length, ContentType: mediaContentType(relative) }),
    );
  }

  /**
   * Copies every object below `fromPrefix` to the same name below `toPrefix` inside the bucket (a
   * server-side copy: no byte passes through the origin), except the relative names in `skip`.
   * Returns how many were copied.
   */
  async copyPrefix(fromPrefix: string, toPrefix: string, skip: ReadonlySet<string> = new Set()): Promise<number> {
    const keys = (await this.list(fromPrefix)).filter((key) => !skip.has(key.slice(fromPrefix.length)));
    for (let i = 0; i < keys.length; i += COPY_CONCURRENCY) {
      await Promise.all(
        keys.slice(i, i + COPY_CONCURRENCY).map((key) =>
          this.#client.send(
            new CopyObjectCommand({
              Bucket: this.#bucket,
              Key: this.#key(`${toPrefix}${key.slice(fromPrefix.length)}`),
              CopySource: `${this.#bucket}/${this.#key(key).split('/').map(encodeURIComponent).join('/')}`,
            }),
          ),
        ),
      );
    }
    return keys.length;
  }

  /** The object's key in the bucket (`published/<relative>`), e.g. to append to a CDN's base URL. */
  keyOf(relative: string): string {
    return this.#key(relative);
  }

  /**
   * A presigned GET URL of a published object (AWS Signature Version 4, query-string form): anyone
   * holding it reads that one object until it expires after `seconds`, and nothing else.
   */
  presignGet(relative: string, seconds: number, now: Date = new Date()): string {
    const config = this.#config;
    const key = this.#key(relative);
    const encodedKey = key.split('/').map(encodeRfc3986).join('/');
    const base = new URL(config.endpoint ?? `https://s3.${config.region}.amazonaws.com`);
    const host = config.forcePathStyle ? base.host : `${config.bucket}.${base.host}`;
    const basePath = base.pathname.replace(/\/$/, '');
    const canonicalUri = config.forcePathStyle ? `${basePath}/${encodeRfc3986(config.bucket)}/${encodedKey}` : `${basePath}/${encodedKey}`;
    const amzDate = now
      .toISOString()
      .replace(/[-:]/g, '')
      .replace(/\.[0-9]{3}/, '');
    const day = amzDate.slice(0, 8);
    const scope = `${day}/${config.region}/s3/aws4_request`;
    const query = [
      ['X-Amz-Algorithm', 'AWS4-HMAC-SHA256'],
      ['X-Amz-Credential', `${config.accessKeyId}/${scope}`],
      ['X-Amz-Date', amzDate],
      ['X-Amz-Expires', String(Math.round(seconds))],
      ['X-Amz-SignedHeaders', 'host'],
    ]
      .map(([name, value]) => `${encodeRfc3986(name!)}=${encodeRfc3986(value!)}`)
      .sort()
      .join('&');
    const canonicalRequest = ['GET', canonicalUri, query, `host:${host}`, '', 'host', 'UNSIGNED-PAYLOAD'].join('\n');
    const stringToSign = ['AWS4-HMAC-SHA256', amzDate, scope, createHash('sha256').update(canonicalRequest).digest('hex')].join('\n');
    let signingKey: Buffer = Buffer.from(`AWS4${config.secretAccessKey}`, 'utf8');
    for (const part of [day, config.region, 's3', 'aws4_request']) signingKey = createHmac('sha256', signingKey).update(part).digest();
    const signature = createHmac('sha256', signingKey).update(stringToSign).digest('hex');
    return `${base.protocol}//${host}${canonicalUri}?${query}&X-Amz-Signature=${signature}`;
  }

  /** Size and date of a published object, and a reader of its bytes; null when there is none. */
  async open(relative: string): Promise<PublishedObject | null> {
    const key = this.#key(relative);
    let head;
    try {
      head = await this.#client.send(new HeadObjectCommand({ Bucket: this.#bucket, Key: key }));
    } catch (error) {
      if (error instanceof NotFound || error instanceof NoSuchKey || (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode === 404)
        return null;
      throw error;
    }
    return {
      size: head.ContentLength ?? 0,
      modified: head.LastModified ?? new Date(0),
      inBucket: relative,
      read: async (range) => {
        const answer = await this.#client.send(
          new GetObjectCommand({ Bucket: this.#bucket, Key: key, ...(range ? { Range: `bytes=${range.start}-${range.end}` } : {}) }),
        );
        return answer.Body as Readable;
      },
    };
  }

  /** Keys below `relativePrefix` (relative to published/). */
  async list(relativePrefix: string): Promise<string[]> {
    const out: string[] = [];
    let token: string | undefined;
    do {
      const page = await this.#client.send(
        new ListObjectsV2Command({ Bucket: this.#bucket, Prefix: this.#key(relativePrefix), MaxKeys: PAGE, ContinuationToken: token }),
      );
      for (const item of page.Contents ?? []) if (item.Key) out.push(item.Key.slice(this.#prefix.length));
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
    return out;
  }

  /** The next folder names below `relativePrefix` (which ends with `/`, or is empty). */
  async listFolders(relativePrefix: string): Promise<string[]> {
    const out: string[] = [];
    let token: string | undefined;
    do {
      const page = await this.#client.send(
        new ListObjectsV2Command({ Bucket: this.#bucket, Prefix: this.#key(relativePrefix), Delimiter: '/', MaxKeys: PAGE, ContinuationToken: token }),
      );
      for (const item of page.CommonPrefixes ?? []) if (item.Prefix) out.push(item.Prefix.slice(this.#key(relativePrefix).length).replace(/\/$/, ''));
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
    return out;
  }

  /** Downloads an object to a Readable (for moving a version back to staging). */
  async read(relative: string): Promise<Readable> {
    const answer = await this.#client.send(new GetObjectCommand({ Bucket: this.#bucket, Key: this.#key(relative) }));
    return answer.Body as Readable;
  }

  /** Deletes every object below `relativePrefix`. */
  async removePrefix(relativePrefix: string): Promise<number> {
    const keys = await this.list(relativePrefix);
    for (let i = 0; i < keys.length; i += PAGE) {
      await this.#client.send(
        new DeleteObjectsCommand({ Bucket: this.#bucket, Delete: { Objects: keys.slice(i, i + PAGE).map((key) => ({ Key: this.#key(key) })), Quiet: true } }),
      );
    }
    return keys.length;
  }

  destroy(): void {
    this.#client.destroy();
  }
}
