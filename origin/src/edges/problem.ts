import { TRPCError } from '@trpc/server';
import { getHTTPStatusCodeFromError } from '@trpc/server/http';
import type { FastifyReply } from 'fastify';

/** What a client sees of any failure on the server's side: never a stack trace or SQL. */
export const SERVER_ERROR_MESSAGE = 'Something went wrong on the server. Try again; if it keeps happening, contact the operator.';

/** The JSON body of every non-tRPC error answer: `{ message, status, requestId }`. */
export interface Problem {
  message: string;
  status: number;
  /** Matches the `x-request-id` header and the operator's log line. */
  requestId: string;
}

/** Answers with the one error shape of the HTTP edges (REST, /media, the player's routes). */
export function sendProblem(reply: FastifyReply, status: number, message: string): FastifyReply {
  const body: Problem = { message: status >= 500 ? SERVER_ERROR_MESSAGE : message, status, requestId: String(reply.request.id) };
  return reply.code(status).type('application/json').send(body);
}

/**
 * Maps an error thrown by a procedure or a domain function to an HTTP status and a sentence for the
 * client, with tRPC's own code → status table, so every edge answers alike.
 */
export function problemOf(error: unknown): { status: number; message: string } {
  if (error instanceof TRPCError) {
    const status = getHTTPStatusCodeFromError(error);
    return { status, message: status >= 500 ? SERVER_ERROR_MESSAGE : error.message };
  }
  const statusCode = (error as { statusCode?: unknown } | null)?.statusCode;
  if (typeof statusCode === 'number' && statusCode >= 400 && statusCode < 500) {
    const message = statusCode === 413 ? 'The request body is too large.' : (error as Error).message;
    return { status: statusCode, message };
  }
  return { status: 500, message: SERVER_ERROR_MESSAGE };
}
