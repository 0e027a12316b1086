import type { CommentItem, CommentThread } from '@spherecast/shared';
import { ownerSelect } from '../../core/user-select.ts';
import type { Prisma } from '../../db/database.ts';

/** Replies shown under each top-level comment in a page; the rest come from `replies`. */
export const REPLIES_PREVIEW = 20;

export const commentSelect = {
  id: true,
  contentId: true,
  parentId: true,
  body: true,
  createdAt: true,
  editedAt: true,
  deletedAt: true,
  author: { select: ownerSelect },
} as const satisfies Prisma.CommentSelect;

export const threadSelect = {
  ...commentSelect,
  replies: { select: commentSelect, orderBy: [{ createdAt: 'asc' }, { id: 'asc' }], take: REPLIES_PREVIEW },
  _count: { select: { replies: true } },
} as const satisfies Prisma.CommentSelect;

type CommentRow = Prisma.CommentGetPayload<{ select: typeof commentSelect }>;
type ThreadRow = Prisma.CommentGetPayload<{ select: typeof threadSelect }>;

/** A deleted comment keeps only its place: no text, no author. */
export function toComment(row: CommentRow): CommentItem {
  const deleted = row.deletedAt !== null;
  return {
    id: row.id,
    contentId: row.contentId,
    parentId: row.parentId,
    author: deleted ? null : row.author,
    body: deleted ? null : row.body,
    deleted,
    createdAt: row.createdAt,
    editedAt: row.editedAt,
  };
}

export function toThread(row: ThreadRow): CommentThread {
  return { ...toComment(row), replyCount: row._count.replies, replies: row.replies.map(toComment) };
}
