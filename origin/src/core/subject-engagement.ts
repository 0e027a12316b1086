import { commentBodySchema, idInput, idSchema, okSchema, pageInput, pageOf, ratingInput, ratingStateSchema, type RatingState } from '@spherecast/shared';
import { z } from 'zod';
import { COUNTER_TRANSACTION } from './counters.ts';
import { badRequest, forbidden, notFound } from './errors.ts';
import { afterCursor, decodeDateCursor, pageOfRows, type AfterCursorWhere } from './pagination.ts';
import { protectedProcedure, publicProcedure, type Context } from './trpc.ts';
import { ownerSelect } from './user-select.ts';
import { Prisma, type PrismaClient } from '../db/database.ts';

/**
 * Ratings and threaded comments on a subject (a destination, a tour; content shares the thread code):
 * one rating per user, counters changed under the subject's row lock, threads one level deep
 * (top-level comments newest first, replies oldest first), a deleted comment with replies keeps its
 * place without text or author and goes once its last reply does. A subject names its Prisma tables,
 * the column that holds its id and its access rule; `subjectEngagementProcedures` makes its procedures.
 * It lives in core because several domains use it (the layer rules keep domains apart).
 */

/** Replies shown under each top-level comment in a page; the rest come from `replies`. */
export const REPLIES_PREVIEW = 20;

type Db = PrismaClient | Prisma.TransactionClient;
type Owner = Prisma.UserGetPayload<{ select: typeof ownerSelect }>;
type PageRequest = { cursor?: string | undefined; limit: number };

const newestFirst = [{ createdAt: 'desc' }, { id: 'desc' }] as const;
const oldestFirst = [{ createdAt: 'asc' }, { id: 'asc' }] as const;
const baseCommentSelect = {
  id: true,
  parentId: true,
  body: true,
  createdAt: true,
  editedAt: true,
  deletedAt: true,
  author: { select: ownerSelect },
} as const;

/** `{ [key]: value }` with its type: the subject's id column differs from table to table. */
export function keyed<K extends string, V>(key: K, value: V): Record<K, V> {
  return { [key]: value } as Record<K, V>;
}

/** The columns read of a comment, with its subject's id in column K (`contentId`, `tourId`, …). */
export type CommentSelect<K extends string> = typeof baseCommentSelect & Record<K, true>;
export type ThreadSelect<K extends string> = CommentSelect<K> & {
  replies: { select: CommentSelect<K>; orderBy: typeof oldestFirst; take: number };
  _count: { select: { replies: true } };
};
export type CommentRow<K extends string> = Record<K, string> & {
  id: string;
  parentId: string | null;
  body: string;
  createdAt: Date;
  editedAt: Date | null;
  deletedAt: Date | null;
  author: Owner;
};
export type ThreadRow<K extends string> = CommentRow<K> & { replies: CommentRow<K>[]; _count: { replies: number } };

/** What the API shows of a comment: a deleted one keeps only its place, no text, no author. */
export type CommentOut<K extends string> = Record<K, string> & {
  id: string;
  parentId: string | null;
  author: Owner | null;
  body: string | null;
  deleted: boolean;
  createdAt: Date;
  editedAt: Date | null;
};
export type ThreadOut<K extends string> = CommentOut<K> & { replyCount: number; replies: CommentOut<K>[] };

export function commentSelectFor<K extends string>(key: K): CommentSelect<K> {
  return { ...baseCommentSelect, ...keyed(key, true as const) };
}
export function threadSelectFor<K extends string>(key: K): ThreadSelect<K> {
  return {
    ...commentSelectFor(key),
    replies: { select: commentSelectFor(key), orderBy: oldestFirst, take: REPLIES_PREVIEW },
    _count: { select: { replies: true } },
  };
}

export function toComment<K extends string>(key: K, row: CommentRow<K>): CommentOut<K> {
  const deleted = row.deletedAt !== null;
  return {
    id: row.id,
    ...keyed(key, row[key]),
    parentId: row.parentId,
    author: deleted ? null : row.author,
    body: deleted ? null : row.body,
    deleted,
    createdAt: row.createdAt,
    editedAt: row.editedAt,
  };
}
export function toThread<K extends string>(key: K, row: ThreadRow<K>): ThreadOut<K> {
  return { ...toComment(key, row), replyCount: row._count.replies, replies: row.replies.map((reply) => toComment(key, reply)) };
}

/** The keyset condition of a page after the first (`afterCursor`), absent on the first page. */
type CursorWhere = Partial<Extract<AfterCursorWhere<'createdAt', 'id'>, { OR: unknown }>>;

// What the thread code uses of a comment table (a Prisma delegate such as `prisma.tourComment`), one
// query shape per interface: a delegate is checked against each of them.
interface ThreadQuery<K extends string> {
  findMany(args: {
    where: Record<K, string> & { parentId: null } & CursorWhere;
    orderBy: typeof newestFirst;
    take: number;
    select: ThreadSelect<K>;
  }): Promise<ThreadRow<K>[]>;
}
interface ReplyQuery<K extends string> {
  findMany(args: { where: { parentId: string } & CursorWhere; orderBy: typeof oldestFirst; take: number; select: CommentSelect<K> }): Promise<CommentRow<K>[]>;
}
type Placed<K extends string> = Record<K, string> & { parentId: string | null; authorId: string; deletedAt: Date | null };
interface PlaceQuery<K extends string> {
  findUnique(args: { where: { id: string }; select: Record<K | 'parentId' | 'authorId' | 'deletedAt', true> }): Promise<Placed<K> | null>;
}
interface CommentCreation<K extends string> {
  create(args: {
    data: Record<K, string> & { authorId: string; parentId: string | null; body: string; createdAt: Date };
    select: CommentSelect<K>;
  }): Promise<CommentRow<K>>;
}
interface CommentRemoval {
  findUnique(args: {
    where: { id: string };
    select: { parentId: true; deletedAt: true; _count: { select: { replies: true } } };
  }): Promise<{ parentId: string | null; deletedAt: Date | null; _count: { replies: number } } | null>;
  update(args: { where: { id: string }; data: { deletedAt: Date; body: string } }): Promise<unknown>;
  delete(args: { where: { id: string } }): Promise<unknown>;
  deleteMany(args: { where: { id: string; deletedAt: { not: null }; replies: { none: object } } }): Promise<unknown>;
}
export type CommentTable<K extends string> = ThreadQuery<K> & ReplyQuery<K> & PlaceQuery<K> & CommentCreation<K> & CommentRemoval;

const byDate = (row: { createdAt: Date; id: string }) => ({ at: row.createdAt, id: row.id });

/** A page of a subject's top-level comments, newest first, each with its first replies. */
export async function threadsPage<K extends string>(table: CommentTable<K>, key: K, subjectId: string, input: PageRequest) {
  const rows = await table.findMany({
    where: { ...keyed(key, subjectId), parentId: null, ...afterCursor(decodeDateCursor(input.cursor), 'createdAt', 'id') },
    orderBy: newestFirst,
    take: input.limit + 1,
    select: threadSelectFor(key),
  });
  const { page, nextCursor } = pageOfRows(rows, input.limit, byDate);
  return { items: page.map((row) => toThread(key, row)), nextCursor };
}

/** A page of the replies to a comment, oldest first. */
export async function repliesPage<K extends string>(table: CommentTable<K>, key: K, parentId: string, input: PageRequest) {
  const rows = await table.findMany({
    where: { parentId, ...afterCursor(decodeDateCursor(input.cursor), 'createdAt', 'id', 'asc') },
    orderBy: oldestFirst,
    take: input.limit + 1,
    select: commentSelectFor(key),
  });
  const { page, nextCursor } = pageOfRows(rows, input.limit, byDate);
  return { items: page.map((row) => toComment(key, row)), nextCursor };
}

/**
 * Writes a comment (a reply to `parentId`'s thread when given) inside the subject's lock, so the
 * parent cannot be deleted between the check and the insert. The caller changes the counters.
 */
export async function insertComment<K extends string>(
  table: CommentTable<K>,
  key: K,
  noun: string,
  input: { subjectId: string; authorId: string; body: string; parentId?: string | undefined; at: Date },
): Promise<CommentRow<K>> {
  let parentId: string | null = null;
  if (input.parentId) {
    const parent = await table.findUnique({ where: { id: input.parentId }, select: commentPlaceSelect(key) });
    if (!parent || parent.deletedAt) throw notFound('The comment you reply to');
    if (parent[key] !== input.subjectId) throw badRequest(`parentId: that comment is on another ${noun}. Reply on the ${noun} it belongs to.`);
    parentId = parent.parentId ?? input.parentId;
  }
  return table.create({
    data: { ...keyed(key, input.subjectId), authorId: input.authorId, parentId, body: input.body, createdAt: input.at },
    select: commentSelectFor(key),
  });
}

/** Where a comment is: its subject, its thread, its author and whether it is deleted. */
export function commentPlaceSelect<K extends string>(key: K): Record<K | 'parentId' | 'authorId' | 'deletedAt', true> {
  return { ...keyed(key, true as const), parentId: true, authorId: true, deletedAt: true };
}

/**
 * Deletes a comment inside its subject's lock: one with replies keeps its place without text, one
 * without goes, and so does its deleted parent once this was the parent's last reply. False when the
 * comment was already gone; the caller then answers 404 and changes no counter.
 */
export async function removeComment(table: CommentRemoval, id: string, at: Date): Promise<boolean> {
  const current = await table.findUnique({ where: { id }, select: { parentId: true, deletedAt: true, _count: { select: { replies: true } } } });
  if (!current || current.deletedAt) return false;
  if (current._count.replies > 0) {
    await table.update({ where: { id }, data: { deletedAt: at, body: '' } });
  } else {
    await table.delete({ where: { id } });
    if (current.parentId) await table.deleteMany({ where: { id: current.parentId, deletedAt: { not: null }, replies: { none: {} } } });
  }
  return true;
}

type CounterDelta = { ratingCount?: { increment: number }; ratingSum?: { increment: number }; commentCount?: { increment: number } };
interface SubjectCounters {
  findUnique(args: { where: { id: string }; select: { ratingCount: true; ratingSum: true } }): Promise<{ ratingCount: number; ratingSum: number } | null>;
  update(args: { where: { id: string }; data: CounterDelta; select: { id: true } }): Promise<unknown>;
}
type RatingKey<K extends string> = Record<`userId_${K}`, Record<'userId' | K, string>>;
interface RatingTable<K extends string> {
  findUnique(args: { where: RatingKey<K>; select: { score: true } }): Promise<{ score: number } | null>;
  upsert(args: {
    where: RatingKey<K>;
    create: Record<'userId' | K, string> & { score: number; updatedAt: Date };
    update: { score: number; updatedAt: Date };
    select: { score: true };
  }): Promise<{ score: number }>;
  delete(args: { where: RatingKey<K> }): Promise<unknown>;
}

/**
 * A rated and commented subject, named by `noun` (`tour`): its table is the noun capitalised (`Tour`),
 * its comment and rating tables hold its id in `key` (`<noun>Id`), and its REST paths are `/<noun>s/{id}/…`
 * and `/<noun>-comments/{id}`, tagged `<noun>s`.
 */
export interface EngagementSubject<K extends string> {
  noun: string;
  /** `<noun>Id`, spelled out for the types. */
  key: K;
  /** How a summary names the subject one may rate: `a destination`, `a published tour`. */
  engageable: string;
  tables: (db: Db) => { subject: SubjectCounters; comments: CommentTable<K>; ratings: RatingTable<K> };
  /** The subject's creator, who moderates its comments (null when it does not exist). */
  creatorOf: (db: Db, id: string) => Promise<string | null>;
  /** Throws (404, 400) unless the caller may read the subject, or also rate and comment on it (`engage`). */
  requireAccess: (ctx: Context, id: string, need: 'read' | 'engage') => Promise<void>;
  schemas: { comment: z.ZodType<CommentOut<K>>; thread: z.ZodType<ThreadOut<K>> };
}

/** Runs `work` with the subject's row locked (null when it does not exist), so counters add up exactly. */
async function withSubjectLocked<T>(prisma: PrismaClient, table: string, id: string, work: (tx: Prisma.TransactionClient) => Promise<T>): Promise<T | null> {
  return prisma.$transaction(async (tx) => {
    const locked = await tx.$queryRaw<Array<{ id: string }>>`SELECT "id" FROM ${Prisma.raw(`"${table}"`)} WHERE "id" = ${id}::uuid FOR UPDATE`;
    if (locked.length === 0) return null;
    return work(tx);
  }, COUNTER_TRANSACTION);
}

const averageOf = (count: number, sum: number): number | null => (count > 0 ? Math.round((sum / count) * 100) / 100 : null);

/** The procedures of a rated and commented subject: `rating`, `rate`, `unrate`, `comments`, `replies`, `addComment`, `deleteComment`. */
export function subjectEngagementProcedures<K extends string>(subject: EngagementSubject<K>) {
  const { noun, key } = subject;
  const table = noun.charAt(0).toUpperCase() + noun.slice(1);
  const openapi = { tag: `${noun}s`, path: `/${noun}s`, commentPath: `/${noun}-comments` } as const;
  const missing = `That ${noun}`;
  const ratingKey = (userId: string, subjectId: string): RatingKey<K> => keyed(`userId_${key}`, { userId, ...keyed(key, subjectId) });
  const locked = <T>(prisma: PrismaClient, id: string, work: (tx: Prisma.TransactionClient) => Promise<T>) => withSubjectLocked(prisma, table, id, work);

  async function ratingState(prisma: PrismaClient, userId: string | null, subjectId: string): Promise<RatingState> {
    const [row, rating] = await Promise.all([
      subject.tables(prisma).subject.findUnique({ where: { id: subjectId }, select: { ratingCount: true, ratingSum: true } }),
      userId ? subject.tables(prisma).ratings.findUnique({ where: ratingKey(userId, subjectId), select: { score: true } }) : null,
    ]);
    if (!row) throw notFound(missing);
    return { myRating: rating?.score ?? null, ratingCount: row.ratingCount, ratingAverage: averageOf(row.ratingCount, row.ratingSum) };
  }
  const changeCounters = (tx: Prisma.TransactionClient, id: string, data: CounterDelta) =>
    subject.tables(tx).subject.update({ where: { id }, data, select: { id: true } });

  return {
    rating: publicProcedure
      .meta({
        openapi: { method: 'GET', path: `${openapi.path}/{id}/rating`, tags: [openapi.tag], summary: `A ${noun}'s average rating, its count, and yours` },
      })
      .input(idInput)
      .output(ratingStateSchema)
      .query(async ({ ctx, input }) => {
        await subject.requireAccess(ctx, input.id, 'read');
        return ratingState(ctx.prisma, ctx.user?.id ?? null, input.id);
      }),

    rate: protectedProcedure
      .meta({
        openapi: { method: 'PUT', path: `${openapi.path}/{id}/rating`, tags: [openapi.tag], summary: `Rate ${subject.engageable} 1 to 5`, protect: true },
      })
      .input(ratingInput)
      .output(ratingStateSchema)
      .mutation(async ({ ctx, input }) => {
        await subject.requireAccess(ctx, input.id, 'engage');
        const where = ratingKey(ctx.user.id, input.id);
        const found = await locked(ctx.prisma, input.id, async (tx) => {
          const previous = await subject.tables(tx).ratings.findUnique({ where, select: { score: true } });
          await subject.tables(tx).ratings.upsert({
            where,
            create: { userId: ctx.user.id, ...keyed(key, input.id), score: input.score, updatedAt: ctx.now() },
            update: { score: input.score, updatedAt: ctx.now() },
            select: { score: true },
          });
          await changeCounters(
            tx,
            input.id,
            previous ? { ratingSum: { increment: input.score - previous.score } } : { ratingCount: { increment: 1 }, ratingSum: { increment: input.score } },
          );
          return true;
        });
        if (!found) throw notFound(missing);
        return ratingState(ctx.prisma, ctx.user.id, input.id);
      }),

    unrate: protectedProcedure
      .meta({
        openapi: {
          method: 'DELETE',
          path: `${openapi.path}/{id}/rating`,
          tags: [openapi.tag],
          summary: `Remove your rating of a ${noun} (idempotent)`,
          protect: true,
        },
      })
      .input(idInput)
      .output(ratingStateSchema)
      .mutation(async ({ ctx, input }) => {
        await subject.requireAccess(ctx, input.id, 'read');
        const where = ratingKey(ctx.user.id, input.id);
        const found = await locked(ctx.prisma, input.id, async (tx) => {
          const previous = await subject.tables(tx).ratings.findUnique({ where, select: { score: true } });
          if (!previous) return true;
          await subject.tables(tx).ratings.delete({ where });
          await changeCounters(tx, input.id, { ratingCount: { increment: -1 }, ratingSum: { increment: -previous.score } });
          return true;
        });
        if (!found) throw notFound(missing);
        return ratingState(ctx.prisma, ctx.user.id, input.id);
      }),

    comments: publicProcedure
      .meta({
        openapi: {
          method: 'GET',
          path: `${openapi.path}/{id}/comments`,
          tags: [openapi.tag],
          summary: `Top-level comments on a ${noun}, newest first, with their first replies`,
        },
      })
      .input(pageInput.extend({ id: idSchema }))
      .output(pageOf(subject.schemas.thread))
      .query(async ({ ctx, input }) => {
        await subject.requireAccess(ctx, input.id, 'read');
        return threadsPage(subject.tables(ctx.prisma).comments, key, input.id, input);
      }),

    replies: publicProcedure
      .meta({
        openapi: {
          method: 'GET',
          path: `${openapi.commentPath}/{id}/replies`,
          tags: [openapi.tag],
          summary: `All replies to a comment on a ${noun}, oldest first`,
        },
      })
      .input(pageInput.extend({ id: idSchema }))
      .output(pageOf(subject.schemas.comment))
      .query(async ({ ctx, input }) => {
        const parent = await subject.tables(ctx.prisma).comments.findUnique({ where: { id: input.id }, select: commentPlaceSelect(key) });
        if (!parent) throw notFound('That comment');
        await subject.requireAccess(ctx, parent[key], 'read');
        return repliesPage(subject.tables(ctx.prisma).comments, key, input.id, input);
      }),

    addComment: protectedProcedure
      .meta({
        openapi: {
          method: 'POST',
          path: `${openapi.path}/{id}/comments`,
          tags: [openapi.tag],
          summary: `Comment on ${subject.engageable}, or reply to a comment on it`,
          protect: true,
        },
      })
      .input(z.object({ id: idSchema, body: commentBodySchema, parentId: idSchema.optional() }))
      .output(subject.schemas.comment)
      .mutation(async ({ ctx, input }) => {
        await subject.requireAccess(ctx, input.id, 'engage');
        const created = await locked(ctx.prisma, input.id, async (tx) => {
          const row = await insertComment(subject.tables(tx).comments, key, noun, {
            subjectId: input.id,
            authorId: ctx.user.id,
            body: input.body,
            parentId: input.parentId,
            at: ctx.now(),
          });
          await changeCounters(tx, input.id, { commentCount: { increment: 1 } });
          return row;
        });
        if (!created) throw notFound(missing);
        return toComment(key, created);
      }),

    deleteComment: protectedProcedure
      .meta({
        openapi: {
          method: 'DELETE',
          path: `${openapi.commentPath}/{id}`,
          tags: [openapi.tag],
          summary: `Delete a comment on a ${noun} (its author, the ${noun}'s creator, or an admin)`,
          protect: true,
        },
      })
      .input(idInput)
      .output(okSchema)
      .mutation(async ({ ctx, input }) => {
        const comment = await subject.tables(ctx.prisma).comments.findUnique({ where: { id: input.id }, select: commentPlaceSelect(key) });
        if (!comment || comment.deletedAt) throw notFound('That comment');
        const subjectId = comment[key];
        const allowed = comment.authorId === ctx.user.id || ctx.user.role === 'admin' || (await subject.creatorOf(ctx.prisma, subjectId)) === ctx.user.id;
        if (!allowed) throw forbidden(`Only the comment's author, the ${noun}'s creator or an admin can delete it.`);
        const done = await locked(ctx.prisma, subjectId, async (tx) => {
          if (!(await removeComment(subject.tables(tx).comments, input.id, ctx.now()))) return false;
          await changeCounters(tx, subjectId, { commentCount: { increment: -1 } });
          return true;
        });
        if (!done) throw notFound('That comment');
        return { ok: true as const };
      }),
  };
}
