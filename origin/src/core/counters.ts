import { Prisma, type PrismaClient } from '../db/database.ts';

/** The Content columns that count engagement. */
const COUNTERS = ['viewCount', 'likeCount', 'commentCount', 'ratingCount', 'ratingSum'] as const;
type Counter = (typeof COUNTERS)[number];
export type CounterChange = Partial<Record<Counter, number>>;

type Db = Pick<PrismaClient, '$executeRaw' | '$queryRaw'> | Prisma.TransactionClient;

/**
 * THE popularity formula, in one place (search sorts by it, recommendations weigh by it):
 *
 *   popularity = views + 5·likes + 3·comments + 2·Σ(score − 3), never below 0
 *
 * A like is a deliberate act worth several views; a comment a bit less (it may be a complaint).
 * Each rating counts by its distance from the neutral 3: a 5 adds 4, a 1 takes 4 away. The sum over
 * ratings is `ratingSum − 3·ratingCount`, so it follows from the counters alone.
 */
function popularitySql(value: (counter: Counter) => Prisma.Sql): Prisma.Sql {
  return Prisma.sql`GREATEST(0, ${value('viewCount')} + 5 * ${value('likeCount')} + 3 * ${value('commentCount')} + 2 * (${value('ratingSum')} - 3 * ${value('ratingCount')}))::float8`;
}

const column = (counter: Counter) => Prisma.raw(`"${counter}"`);

/**
 * Adds `change` to a content's counters and recomputes its popularity, in one UPDATE: the row lock
 * makes concurrent changes add up exactly, and popularity always matches the counters it is made of.
 * Returns a PrismaPromise so it can join a batch `$transaction([...])` as well as an interactive one.
 */
export function changeCounters(db: Db, contentId: string, change: CounterChange = {}): Prisma.PrismaPromise<number> {
  // In an UPDATE, column names on the right-hand side read the old row, so old + delta is the new value.
  const next = (counter: Counter) => Prisma.sql`(${column(counter)} + ${Math.trunc(change[counter] ?? 0)}::int)`;
  const sets = COUNTERS.map((counter) => Prisma.sql`${column(counter)} = ${next(counter)}`);
  return db.$executeRaw`UPDATE "Content" SET ${Prisma.join(sets)}, "popularity" = ${popularitySql(next)} WHERE "id" = ${contentId}::uuid`;
}

/** Recomputes popularity from the counters as they are (after an import or a manual fix). */
export function recomputePopularity(db: Db, contentId: string): Prisma.PrismaPromise<number> {
  return changeCounters(db, contentId, {});
}

/**
 * Waits for interactive transactions that touch counters. PGlite runs one transaction at a time and
 * PostgreSQL queues writers on the content row, so a burst (a clip going viral, a test firing 20
 * likes at once) makes a transaction wait its turn longer than Prisma's defaults (2 s / 5 s) allow.
 */
export const COUNTER_TRANSACTION = { maxWait: 15_000, timeout: 20_000 } as const;

/**
 * Runs `work` in a transaction that first locks the content row, so that everything that reads
 * engagement state and then changes counters (rating upserts, comment deletions) is serialized per
 * content. Returns null when the content does not exist.
 */
export async function withContentLocked<T>(prisma: PrismaClient, contentId: string, work: (tx: Prisma.TransactionClient) => Promise<T>): Promise<T | null> {
  return prisma.$transaction(async (tx) => {
    const locked = await tx.$queryRaw<Array<{ id: string }>>`SELECT "id" FROM "Content" WHERE "id" = ${contentId}::uuid FOR UPDATE`;
    if (locked.length === 0) return null;
    return work(tx);
  }, COUNTER_TRANSACTION);
}
