import path from 'node:path';
import type { OriginConfig } from './config.ts';
import type { PublishedObject, S3MediaObjects } from './media-store-s3.ts';

/** Files the origin always sends itself: playlists (their relative URIs resolve against the origin's signed path) and JSON indexes. */
const SENT_BY_ORIGIN = new Set(['.m3u8', '.json']);

export interface MediaRedirect {
  location: string;
  cacheControl: string;
}

/**
 * Where a published file's bytes come from with MEDIA_DELIVERY=bucket: after the origin has checked
 * access (public, or a valid signed path), a segment, init file, picture or caption file that is an
 * object in the bucket is answered with a redirect, so the bucket (or the CDN in front of it) sends
 * the bytes. Public content goes to MEDIA_PUBLIC_BASE_URL + the object key when a CDN is configured;
 * everything else (private and unlisted content always) to a presigned URL of that one object that
 * expires after MEDIA_PRESIGN_SECONDS, so a link that leaks stops working soon and reveals nothing
 * else. Null: the origin sends the file itself (MEDIA_DELIVERY=origin, playlists, files on disk).
 */
export function mediaRedirect(
  config: Pick<OriginConfig, 'mediaDelivery'>,
  bucket: S3MediaObjects | null,
  grant: { relative: string; signed: boolean },
  object: PublishedObject,
  now: Date,
): MediaRedirect | null {
  const delivery = config.mediaDelivery;
  if (delivery.mode !== 'bucket' || !bucket || object.inBucket === undefined) return null;
  if (SENT_BY_ORIGIN.has(path.extname(grant.relative).toLowerCase())) return null;
  if (!grant.signed && delivery.publicBaseUrl) {
    const key = bucket.keyOf(object.inBucket).split('/').map(encodeURIComponent).join('/');
    // Published files never change, but the content may be made private: shared caches keep the redirect briefly.
    return { location: `${delivery.publicBaseUrl}/${key}`, cacheControl: 'public, max-age=60' };
  }
  return { location: bucket.presignGet(object.inBucket, delivery.presignSeconds, now), cacheControl: 'private, no-store' };
}
