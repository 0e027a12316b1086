import { formatBytes } from '@spherecast/shared/format';
import { faultPoint } from '../../core/fault-injection.ts';
import type { OriginServices } from '../../core/services.ts';
import { PUBLISH_LIMITS } from './limits.ts';

export type UploadDecision = { ok: true; limit: { bytes: number; message: string } } | { ok: false; status: number; message: string };

/**
 * Whether a creator may stage one more file at `path` of a content (declared size `declaredBytes`
 * when the request says): not while a publish of it is under way, not past the files-per-content
 * limit, not past the owner's storage quota (counted from the sizes of their stored uploads; admins
 * have none). The returned limit bounds the body as it streams, for uploads that declare no size.
 */
export async function decideUpload(
  services: OriginServices,
  content: { id: string; ownerId: string },
  path: string,
  declaredBytes: number | null,
): Promise<UploadDecision> {
  const { prisma, config } = services;
  if (await prisma.publishAttempt.findUnique({ where: { contentId: content.id }, select: { contentId: true } })) {
    return { ok: false, status: 409, message: 'A publish of this content is in progress. Upload again when it has finished.' };
  }
  const replacing = await prisma.upload.findUnique({
    where: { contentId_path_status: { contentId: content.id, path, status: 'staged' } },
    select: { size: true },
  });
  if (!replacing && (await prisma.upload.count({ where: { contentId: content.id, status: 'staged' } })) >= PUBLISH_LIMITS.filesPerContent) {
    return {
      ok: false,
      status: 413,
      message: `This content already has ${PUBLISH_LIMITS.filesPerContent.toLocaleString('en')} staged files, the most one content may have. Finalize or use longer segments.`,
    };
  }
  const uploadLimit = { bytes: config.maxUploadBytes, message: `The file is larger than the ${Math.round(config.maxUploadBytes / 1048576)} MiB upload limit.` };
  if (config.storageQuotaBytes === null) return { ok: true, limit: uploadLimit };
  const owner = await prisma.user.findUniqueOrThrow({ where: { id: content.ownerId }, select: { role: true } });
  if (owner.role === 'admin') return { ok: true, limit: uploadLimit };
  const stored = await prisma.upload.aggregate({
    where: { content: { ownerId: content.ownerId }, status: { in: ['staged', 'published'] } },
    _sum: { size: true },
  });
  const used = Number(stored._sum.size ?? 0n) - Number(replacing?.size ?? 0n);
  const quota = config.storageQuotaBytes;
  const left = Math.max(0, quota - used);
  const quotaMessage = (size: string) =>
    `Storage quota exceeded: this account stores ${formatBytes(used)} of its ${formatBytes(quota)}, and this file ${size}. Delete content you no longer need, or ask the operator to raise STORAGE_QUOTA_MB.`;
  if (declaredBytes !== null && declaredBytes > left && declaredBytes <= config.maxUploadBytes) {
    return { ok: false, status: 413, message: quotaMessage(`is ${formatBytes(declaredBytes)}`) };
  }
  if (left < config.maxUploadBytes) return { ok: true, limit: { bytes: left, message: quotaMessage(`is larger than the ${formatBytes(left)} left`) } };
  return { ok: true, limit: uploadLimit };
}

/** Records a file written to staging (replacing an earlier upload of the same path). */
export async function recordStagedUpload(services: OriginServices, contentId: string, written: { path: string; size: number; sha256: string }) {
  const { prisma } = services;
  faultPoint('upload-before-record');
  await prisma.$transaction([
    prisma.upload.deleteMany({ where: { contentId, path: written.path, status: 'staged' } }),
    prisma.upload.create({ data: { contentId, path: written.path, size: BigInt(written.size), sha256: written.sha256, status: 'staged' } }),
    prisma.content.updateMany({ where: { id: contentId, status: 'draft' }, data: { status: 'processing' } }),
  ]);
}
