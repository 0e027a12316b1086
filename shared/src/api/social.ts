import { z } from 'zod';
import { pageInput } from './common.ts';
import { publicUserSchema, usernameSchema } from './users.ts';

export const usernameInput = z.object({ username: usernameSchema });
export const usernamePageInput = pageInput.extend({ username: usernameSchema });

/** The answer to follow / unfollow: where the caller stands now, and the followee's new count. */
export const followStateSchema = z.object({
  following: z.boolean(),
  followerCount: z.number().int(),
});
export type FollowState = z.infer<typeof followStateSchema>;

/** One row of a followers / following list. */
export const followListItemSchema = publicUserSchema.extend({ followedAt: z.date() });
export type FollowListItem = z.infer<typeof followListItemSchema>;
