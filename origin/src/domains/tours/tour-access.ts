import type { SessionUser } from '../../core/trpc.ts';

/** A draft is its owner's (and admins'); a published tour is seen like content of the same visibility. */
export function canViewTour(user: SessionUser | null, tour: { ownerId: string; status: string; visibility: string }): boolean {
  if (user && (user.id === tour.ownerId || user.role === 'admin')) return true;
  return tour.status === 'published' && tour.visibility !== 'private';
}
