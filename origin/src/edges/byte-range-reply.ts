import type { FastifyReply } from 'fastify';
import { contentRange, parseByteRange, unsatisfiedRange, type ByteRange } from '@spherecast/shared/http';
import { sendProblem } from './problem.ts';

/**
 * Answers for a file of `size` bytes: the whole file (200), the part a Range header asks for (206 with
 * its Content-Range), or 416 when the range lies outside the file. `body` gives the bytes to send for
 * the range (the whole file without one); it is not called for a 416.
 */
export async function sendByteRange(
  reply: FastifyReply,
  size: number,
  rangeHeader: string | undefined,
  body: (range?: ByteRange) => unknown,
): Promise<FastifyReply> {
  const range = parseByteRange(rangeHeader, size);
  if (range === 'unsatisfiable') {
    reply.header('content-range', unsatisfiedRange(size));
    return sendProblem(reply, 416, 'The requested range is outside the file.');
  }
  if (range) {
    reply.code(206);
    reply.header('content-range', contentRange(range, size));
    reply.header('content-length', range.end - range.start + 1);
    return reply.send(await body(range));
  }
  reply.header('content-length', size);
  return reply.send(await body());
}
