import { TRPCError } from '@trpc/server';
import type { ZodError } from 'zod';
import { Prisma } from '../db/database.ts';

/** Raised in place of a ZodError so that REST and tRPC clients both get a message naming the field. */
export class InputValidationError extends Error {
  override name = 'InputValidationError';
  constructor(readonly issues: ZodError['issues']) {
    super(describeIssues(issues));
  }
}

export function describeIssues(issues: ZodError['issues']): string {
  return issues
    .slice(0, 5)
    .map((issue) => {
      const field = issue.path.length > 0 ? issue.path.join('.') : 'input';
      return `${field}: ${issue.message}`;
    })
    .join('; ');
}

export function notFound(what: string): TRPCError {
  return new TRPCError({ code: 'NOT_FOUND', message: `${what} was not found.` });
}

export function forbidden(message: string): TRPCError {
  return new TRPCError({ code: 'FORBIDDEN', message });
}

export function badRequest(message: string): TRPCError {
  return new TRPCError({ code: 'BAD_REQUEST', message });
}

/**
 * Turns the database errors a client can cause into answers it can act on. Anything else stays an
 * internal error, whose details are logged and never sent.
 */
export function fromDatabaseError(error: unknown): TRPCError | null {
  if (!(error instanceof Prisma.PrismaClientKnownRequestError)) return null;
  if (error.code === 'P2002') {
    const target = (error.meta?.target ??
      (error.meta as { driverAdapterError?: { cause?: { constraint?: { fields?: string[] } } } })?.driverAdapterError?.cause?.constraint?.fields) as
      string[] | string | undefined;
    const fields = Array.isArray(target) ? target.join(', ') : (target ?? 'value');
    return new TRPCError({ code: 'CONFLICT', message: `That ${fields.replaceAll('"', '')} is already taken.`, cause: error });
  }
  if (error.code === 'P2025') return new TRPCError({ code: 'NOT_FOUND', message: 'That record was not found.', cause: error });
  if (error.code === 'P2003') {
    return new TRPCError({ code: 'NOT_FOUND', message: 'A record this refers to does not exist.', cause: error });
  }
  return null;
}
