import type { Prisma } from '../db/database.ts';

/** The public face of a user: never the password hash or email. */
export const publicUserSelect = {
  id: true,
  username: true,
  displayName: true,
  bio: true,
  avatarUrl: true,
  role: true,
  createdAt: true,
} as const satisfies Prisma.UserSelect;

/** What a user sees of themselves. */
export const meSelect = { ...publicUserSelect, email: true } as const satisfies Prisma.UserSelect;

export const ownerSelect = { id: true, username: true, displayName: true, avatarUrl: true } as const satisfies Prisma.UserSelect;
