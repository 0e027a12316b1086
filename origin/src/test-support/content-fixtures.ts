import type { ContentCreateInput } from '@spherecast/shared';
import type { TestOrigin, TestUser } from './test-origin.ts';

export interface ReadyContentOptions extends Partial<ContentCreateInput> {
  status?: 'ready' | 'draft' | 'processing';
  durationSeconds?: number | null;
  popularity?: number;
  publishedAt?: Date;
}

/**
 * Test fixture: a content created through the API as `owner`, then marked published straight in the
 * database (as finalize would, without uploading a ladder). Returns its id.
 */
export async function readyContent(t: TestOrigin, owner: TestUser, options: ReadyContentOptions = {}): Promise<string> {
  const { status = 'ready', durationSeconds = 60, popularity, publishedAt, ...fields } = options;
  const created = await owner.caller.content.create({ title: 'Untitled 360', ...fields });
  await t.origin.services.prisma.content.update({
    where: { id: created.id },
    data: {
      status,
      durationSeconds,
      ...(popularity !== undefined ? { popularity } : {}),
      ...(status === 'ready' ? { publishedPath: `${created.id}/p1`, masterFile: 'master.m3u8', publishedAt: publishedAt ?? new Date() } : {}),
    },
  });
  return created.id;
}

/**
 * A clock for tests that never returns the same millisecond twice, so that rows created one after
 * another sort in creation order (in production, equal timestamps are ordered by id instead).
 */
export function tickingClock(): () => Date {
  let last = 0;
  return () => {
    last = Math.max(Date.now(), last + 1);
    return new Date(last);
  };
}
