import { z } from 'zod';
import { textSchema } from './text.ts';
import { LIMITS } from './limits.ts';

export const ROLES = ['viewer', 'creator', 'admin', 'advertiser'] as const;
export const roleSchema = z.enum(ROLES);
export type Role = z.infer<typeof roleSchema>;

export const usernameSchema = z
  .string()
  .trim()
  .toLowerCase()
  .min(LIMITS.usernameMin)
  .max(LIMITS.usernameMax)
  .regex(/^[a-z0-9_]+$/, 'may contain only letters, digits and underscores');
export const emailSchema = z.email().max(LIMITS.emailMax).toLowerCase();
export const passwordSchema = z.string().min(LIMITS.passwordMin).max(LIMITS.passwordMax);
export const displayNameSchema = textSchema().trim().min(1).max(LIMITS.displayNameMax);

export const registerInput = z.object({
  username: usernameSchema,
  email: emailSchema,
  password: passwordSchema,
  displayName: displayNameSchema.optional(),
  /** Creators publish content; viewers only watch. Admins are made by an admin. */
  role: z.enum(['viewer', 'creator']).default('creator'),
});
export type RegisterInput = z.input<typeof registerInput>;

export const loginInput = z.object({
  /** A username or an email address. */
  login: textSchema().trim().toLowerCase().min(1).max(LIMITS.emailMax),
  password: z.string().min(1).max(LIMITS.passwordMax),
});
export type LoginInput = z.input<typeof loginInput>;

export const publicUserSchema = z.object({
  id: z.string(),
  username: z.string(),
  displayName: z.string(),
  bio: z.string(),
  avatarUrl: z.string().nullable(),
  role: roleSchema,
  createdAt: z.date(),
});
export type PublicUser = z.infer<typeof publicUserSchema>;

export const meSchema = publicUserSchema.extend({ email: z.string() });
export type Me = z.infer<typeof meSchema>;

/** `auth.session`: signed out is a normal state, answered with `user: null` rather than a 401. */
export const sessionStateSchema = z.object({ user: meSchema.nullable() });
export type SessionState = z.infer<typeof sessionStateSchema>;

export const authResultSchema = z.object({
  token: z.string(),
  expiresAt: z.date(),
  user: meSchema,
});
export type AuthResult = z.infer<typeof authResultSchema>;

export const profileUpdateInput = z.object({
  displayName: displayNameSchema.optional(),
  bio: textSchema().max(LIMITS.bioMax).optional(),
  avatarUrl: z
    .url({ protocol: /^https?$/ })
    .max(LIMITS.urlMax)
    .nullable()
    .optional(),
});

export const profileSchema = publicUserSchema.extend({
  followerCount: z.number().int(),
  followingCount: z.number().int(),
  contentCount: z.number().int(),
  /** Whether the signed-in caller follows this user (false when signed out). */
  followedByMe: z.boolean(),
});
export type Profile = z.infer<typeof profileSchema>;
