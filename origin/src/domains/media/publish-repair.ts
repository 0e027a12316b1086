import type { OriginServices } from '../../core/services.ts';
import { settlePublishAttempt } from './finalize.ts';

export interface PublishRepairReport {
  /** Interrupted publishes whose folder went back to staging. */
  rolledBack: number;
  /** Staged upload rows whose file is gone or differs (a crash between writing and recording). */
  staleUploadRows: number;
  /** `.part-` files of uploads a crash cut short. */
  partFiles: number;
  /** Published folders nothing refers to, and folders of deleted contents. */
  orphanFolders: number;
}

const PAGE = 5000;

/**
 * Start-up repair, run before the origin listens: settles every publish a crash interrupted (see
 * finalizeUpload), drops staged upload rows that no longer match a file (so the studio's resumable
 * publish uploads those again instead of skipping them), and removes what no row refers to:
 * `.part-` files, unreferenced published folders, the media of deleted contents.
 * Assumes one origin per MEDIA_DIR, as the media live on its local disk.
 */
export async function repairPublishing(services: OriginServices): Promise<PublishRepairReport> {
  const { prisma, media } = services;
  const report: PublishRepairReport = { rolledBack: 0, staleUploadRows: 0, partFiles: 0, orphanFolders: 0 };

  const attempts = await prisma.publishAttempt.findMany({ select: { contentId: true, publishId: true, previousPublishedPath: true } });
  for (const attempt of attempts) {
    if ((await settlePublishAttempt(services, attempt)) === 'rolled-back') report.rolledBack += 1;
  }

  let cursor: string | undefined;
  for (;;) {
    const page = await prisma.upload.findMany({
      where: { status: 'staged' },
      select: { id: true, contentId: true, path: true, size: true },
      orderBy: { id: 'asc' },
      take: PAGE,
      ...(cursor ? { cursor: { id: cursor }, skip: 1 } : {}),
    });
    const stale: string[] = [];
    for (const row of page) {
      if ((await media.stagedSize(row.contentId, row.path)) !== Number(row.size)) stale.push(row.id);
    }
    if (stale.length > 0) await prisma.upload.deleteMany({ where: { id: { in: stale } } });
    report.staleUploadRows += stale.length;
    if (page.length < PAGE) break;
    cursor = page.at(-1)!.id;
  }

  const keep = new Map<string, Set<string>>();
  cursor = undefined;
  for (;;) {
    const page: { id: string; publishedPath: string | null; previousPublishedPath: string | null }[] = await prisma.content.findMany({
      select: { id: true, publishedPath: true, previousPublishedPath: true },
      orderBy: { id: 'asc' },
      take: PAGE,
      ...(cursor ? { cursor: { id: cursor }, skip: 1 } : {}),
    });
    for (const row of page) keep.set(row.id, new Set([row.publishedPath, row.previousPublishedPath].filter((p): p is string => p !== null)));
    if (page.length < PAGE) break;
    cursor = page.at(-1)!.id;
  }
  const swept = await media.sweep(keep);
  report.partFiles = swept.partFiles;
  report.orphanFolders = swept.publishedVersions + swept.stagingFolders;
  return report;
}
