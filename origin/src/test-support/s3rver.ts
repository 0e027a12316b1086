// A real S3 API server for tests (s3rver serves the S3 API from a folder; no S3 server is packaged in
// Debian here). Note: s3rver does not check Signature Version 4 signatures, nor implement ListParts
// or AbortMultipartUpload.
import { mkdtemp, rm } from 'node:fs/promises';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import type { S3StorageConfig } from '../core/media-store-s3.ts';

/** What the tests use of s3rver (it has no type declarations). */
interface S3rverServer {
  run(): Promise<AddressInfo>;
  close(): Promise<void>;
}
type S3rverConstructor = new (options: {
  port: number;
  address: string;
  directory: string;
  silent: boolean;
  configureBuckets: { name: string }[];
}) => S3rverServer;
const S3rver = createRequire(import.meta.url)('s3rver') as S3rverConstructor;

export interface TestBucket {
  storage: S3StorageConfig;
  /** The same as environment variables, for origin and worker processes. */
  env: Record<string, string>;
  close(): Promise<void>;
}

/** s3rver on a free loopback port with one empty bucket, in a temporary folder removed by `close`. */
export async function startTestBucket(bucket: string): Promise<TestBucket> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'spherecast-s3rver-'));
  const server = new S3rver({ port: 0, address: '127.0.0.1', directory: dir, silent: true, configureBuckets: [{ name: bucket }] });
  const address = await server.run();
  const endpoint = `http://127.0.0.1:${address.port}`;
  return {
    // s3rver's fixed development credentials.
    storage: { endpoint, bucket, region: 'us-east-1', accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER', forcePathStyle: true },
    env: { STORAGE: 's3', S3_ENDPOINT: endpoint, S3_BUCKET: bucket, S3_ACCESS_KEY_ID: 'S3RVER', S3_SECRET_ACCESS_KEY: 'S3RVER' },
    close: async () => {
      await server.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
