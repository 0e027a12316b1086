import { createReadStream } from 'node:fs';
import type { Readable } from 'node:stream';
import { contentRange, mediaContentType, parseByteRange, unsatisfiedRange } from '@spherecast/shared/http';
import { errorMessage, StudioError } from '../errors.ts';
import { projectIdSchema } from '../library/project-store.ts';
import type { StudioEngine } from '../studio-engine.ts';

/** An HTTP answer for a project's source, independent of the server that sends it. */
export interface SourceResponse {
  status: number;
  headers: Record<string, string>;
  /** The bytes to send; null for HEAD, errors, 416 and empty files. */
  body: Readable | null;
  /** For errors: the sentence to send as `{ message }`. */
  message?: string;
}

/**
 * Answers a request for a project's source file with Range support (the preview's `<video>` seeks with Range).
 * Shared by the browser-mode server and the desktop app's `spherecast-media:` protocol. The file is found
 * by project id and checked again: a client never names a path.
 */
export async function respondWithSource(
  engine: StudioEngine,
  projectId: string,
  request: { method: string; range: string | undefined },
): Promise<SourceResponse> {
  const json = (status: number, message: string, extra: Record<string, string> = {}): SourceResponse => ({
    status,
    headers: { 'content-type': 'application/json; charset=utf-8', ...extra },
    body: null,
    message,
  });
  if (request.method !== 'GET' && request.method !== 'HEAD') return json(405, 'Use GET to read a project source.', { allow: 'GET, HEAD' });
  if (!projectIdSchema.safeParse(projectId).success) return json(404, 'No such project.');
  let source;
  try {
    source = await engine.sourceOf(projectId);
  } catch (error) {
    return json(error instanceof StudioError && error.code === 'NOT_FOUND' ? 404 : 410, errorMessage(error));
  }
  const size = source.sizeBytes;
  const range = parseByteRange(request.range, size);
  const headers: Record<string, string> = {
    'content-type': mediaContentType(source.path),
    'accept-ranges': 'bytes',
    'cache-control': 'no-store',
  };
  if (range === 'unsatisfiable') return { status: 416, headers: { ...headers, 'content-range': unsatisfiedRange(size) }, body: null };
  const { start, end } = range ?? { start: 0, end: size - 1 };
  const length = size === 0 ? 0 : end - start + 1;
  headers['content-length'] = String(length);
  if (range) headers['content-range'] = contentRange(range, size);
  const body = request.method === 'HEAD' || length === 0 ? null : createReadStream(source.path, { start, end });
  return { status: range ? 206 : 200, headers, body };
}
