import type { ReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import type { Readable } from 'node:stream';
import type { Part } from '@aws-sdk/client-s3';
import { S3Store, type MetadataValue } from '@tus/s3-store';
import type { S3StorageConfig } from '../../core/media-store-s3.ts';

/** S3 multipart parts of a web upload (S3's minimum is 5 MiB; the upload page sends 8 MiB chunks). */
const PART_BYTES = 8 * 1024 * 1024;
const PAGE = 1000;

/**
 * Web uploads in the S3 bucket (STORAGE=s3): @tus/s3-store, so every origin behind a load balancer
 * continues the same upload id (its bytes are multipart parts, its info an object, the tail shorter
 * than a part an object of its own). Keys sit at the bucket's root (`<uploadId>`, `.info`, `.part`),
 * beside `published/`.
 *
 * One change: which parts an upload has is recorded as empty marker objects
 * (`<uploadId>.parts/<number>.<size>.<etag>`, written after S3 accepted the part) and read back with
 * one listing, instead of S3's ListParts, which several S3-compatible servers do not implement
 * (s3rver among them: it answers 405); AbortMultipartUpload, likewise missing there, is best effort.
 */
export class BucketUploadStore extends S3Store {
  constructor(storage: S3StorageConfig, options: { expirationPeriodInMilliseconds: number }) {
    super({
      partSize: PART_BYTES,
      useTags: false,
      expirationPeriodInMilliseconds: options.expirationPeriodInMilliseconds,
      s3ClientConfig: {
        bucket: storage.bucket,
        region: storage.region,
        ...(storage.endpoint ? { endpoint: storage.endpoint } : {}),
        forcePathStyle: storage.forcePathStyle,
        // As in S3MediaObjects: no aws-chunked bodies, which many S3-compatible servers store as they come.
        requestChecksumCalculation: 'WHEN_REQUIRED',
        responseChecksumValidation: 'WHEN_REQUIRED',
        credentials: { accessKeyId: storage.accessKeyId, secretAccessKey: storage.secretAccessKey },
      },
    });
  }

  #markerPrefix(id: string): string {
    return `${id}.parts/`;
  }

  protected override async uploadPart(metadata: MetadataValue, readStream: ReadStream | Readable | Buffer, partNumber: number): Promise<string> {
    const size = Buffer.isBuffer(readStream) ? readStream.length : 'path' in readStream ? (await stat(readStream.path)).size : null;
    if (size === null) throw new Error('BucketUploadStore: a part must come from a file or a buffer, so its size is known');
    const etag = await super.uploadPart(metadata, readStream, partNumber);
    const tag = etag.replace(/"/g, '');
    await this.client.putObject({
      Bucket: this.bucket,
      Key: `${this.#markerPrefix(metadata.file.id)}${String(partNumber).padStart(5, '0')}.${size}.${tag}`,
      Body: '',
      ContentLength: 0,
    });
    return etag;
  }

  /** The parts 1..n recorded for the upload, in order (a gap ends the list: later parts are sent again). */
  protected override async retrieveParts(id: string): Promise<Part[]> {
    const prefix = this.#markerPrefix(id);
    const parts: Part[] = [];
    for (const key of await this.#list(prefix)) {
      const match = /^([0-9]+)\.([0-9]+)\.([^./]+)$/.exec(key.slice(prefix.length));
      if (match) parts.push({ PartNumber: Number(match[1]), Size: Number(match[2]), ETag: `"${match[3]}"` });
    }
    parts.sort((a, b) => (a.PartNumber ?? 0) - (b.PartNumber ?? 0));
    const consecutive: Part[] = [];
    for (const part of parts) {
      if (part.PartNumber !== consecutive.length + 1) break;
      consecutive.push(part);
    }
    return consecutive;
  }

  /** Removes everything of an upload: its multipart upload (best effort), object, info, tail and part markers. */
  override async remove(id: string): Promise<void> {
    let uploadId: string | undefined;
    try {
      uploadId = (await this.getMetadata(id))['upload-id'];
    } catch {
      uploadId = undefined;
    }
    if (uploadId) await this.client.abortMultipartUpload({ Bucket: this.bucket, Key: id, UploadId: uploadId }).catch(() => undefined);
    const keys = [id, this.infoKey(id), this.partKey(id, true), ...(await this.#list(this.#markerPrefix(id)))];
    for (let i = 0; i < keys.length; i += PAGE) {
      await this.client.deleteObjects({ Bucket: this.bucket, Delete: { Objects: keys.slice(i, i + PAGE).map((Key) => ({ Key })), Quiet: true } });
    }
    await this.clearCache(id);
  }

  /** Closes the S3 client's connections (a store made for one request). */
  destroy(): void {
    this.client.destroy();
  }

  async #list(prefix: string): Promise<string[]> {
    const out: string[] = [];
    let token: string | undefined;
    do {
      const page = await this.client.listObjectsV2({ Bucket: this.bucket, Prefix: prefix, ContinuationToken: token });
      for (const item of page.Contents ?? []) if (item.Key) out.push(item.Key);
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token);
    return out;
  }
}
