import type { SessionUser } from './trpc.ts';
import { forbidden, notFound } from './errors.ts';
import type { PrismaClient } from '../db/database.ts';
import { VIEWABLE_STATUSES } from './content-view.ts';

interface Visible {
  ownerId: string;
  status: string;
  visibility: string;
}

/** Private content and content not yet ready are visible to their owner only. */
export function canView(user: SessionUser | null, content: Visible): boolean {
  if (user && user.id === content.ownerId) return true;
  if (content.visibility === 'private') return false;
  return (VIEWABLE_STATUSES as readonly string[]).includes(content.status);
}

/**
 * `row` when the caller may see it (its content is `contentOf(row)`), else a 404 naming `what`: not a
 * 403, so what is private does not leak.
 */
export function viewableOrNotFound<T extends object>(user: SessionUser | null, row: T | null, what: string, contentOf: (row: T) => Visible): T {
  if (!row || !canView(user, contentOf(row))) throw notFound(what);
  return row;
}

export function canEdit(user: SessionUser, content: { ownerId: string }): boolean {
  return user.id === content.ownerId || user.role === 'admin';
}

/** Loads a content the caller may change: 404 when it does not exist, 403 when it is not theirs. */
export async function requireEditableContent(prisma: PrismaClient, user: SessionUser, id: string) {
  const content = await prisma.content.findUnique({
    where: { id },
    select: { id: true, ownerId: true, status: true, visibility: true, kind: true, publishedPath: true },
  });
  if (!content) throw notFound('That content');
  if (!canEdit(user, content)) throw forbidden('Only the creator of this content (or an admin) can change it.');
  return content;
}

/** Loads a content the caller may see, answering 404 for what they may not, so it does not leak. */
export async function requireViewableContent(prisma: PrismaClient, user: SessionUser | null, id: string) {
  const content = await prisma.content.findUnique({
    where: { id },
    select: { id: true, ownerId: true, status: true, visibility: true, kind: true, durationSeconds: true },
  });
  return viewableOrNotFound(user, content, 'That content', (row) => row);
}
