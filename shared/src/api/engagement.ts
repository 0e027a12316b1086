import { z } from 'zod';
import { textSchema } from './text.ts';
import { idSchema, pageInput } from './common.ts';
import { LIMITS } from './limits.ts';
import { publicUserSchema } from './users.ts';

export const likeStateSchema = z.object({ liked: z.boolean(), likeCount: z.number().int() });
export type LikeState = z.infer<typeof likeStateSchema>;

export const commentBodySchema = textSchema().trim().min(1).max(LIMITS.commentMax);

/** `id` is the content. A reply to a reply joins the thread of its top-level comment. */
export const commentCreateInput = z.object({ id: idSchema, body: commentBodySchema, parentId: idSchema.optional() });
export const commentUpdateInput = z.object({ id: idSchema, body: commentBodySchema });
export const commentsInput = pageInput.extend({ id: idSchema });

const commentAuthorSchema = publicUserSchema.pick({ id: true, username: true, displayName: true, avatarUrl: true });

/** A deleted comment that still has replies keeps its place with `deleted: true`, no body and no author. */
export const commentSchema = z.object({
  id: z.string(),
  contentId: z.string(),
  parentId: z.string().nullable(),
  author: commentAuthorSchema.nullable(),
  body: z.string().nullable(),
  deleted: z.boolean(),
  createdAt: z.date(),
  editedAt: z.date().nullable(),
});
export type CommentItem = z.infer<typeof commentSchema>;

/** A top-level comment with its first replies (oldest first); `replyCount` says whether there are more. */
export const commentThreadSchema = commentSchema.extend({
  replyCount: z.number().int(),
  replies: z.array(commentSchema),
});
export type CommentThread = z.infer<typeof commentThreadSchema>;

export const ratingInput = z.object({ id: idSchema, score: z.number().int().min(1).max(5) });
export const ratingStateSchema = z.object({
  myRating: z.number().int().nullable(),
  ratingCount: z.number().int(),
  ratingAverage: z.number().nullable(),
});
export type RatingState = z.infer<typeof ratingStateSchema>;
