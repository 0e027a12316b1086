import { randomUUID } from 'node:crypto';
import { TRPCError } from '@trpc/server';
import { Upload } from '@tus/server';
import {
  TUS_PATH,
  projectionSchema,
  uploadCreateInput,
  uploadCreatedSchema,
  uploadIdInput,
  uploadStateSchema,
  uploadStitchReportSchema,
  type UploadState,
} from '@spherecast/shared';
import { notFound } from '../../core/errors.ts';
import { protectedProcedure, router } from '../../core/trpc.ts';
import { BucketUploadStore } from './bucket-upload-store.ts';
import { checkUploadTarget, newUploadRow, openSourceStore } from './upload-intake.ts';

const HTTP_CODES = { 400: 'BAD_REQUEST', 403: 'FORBIDDEN', 404: 'NOT_FOUND', 409: 'CONFLICT', 413: 'PAYLOAD_TOO_LARGE' } as const;

const stateSelect = {
  id: true,
  contentId: true,
  ownerId: true,
  fileName: true,
  size: true,
  status: true,
  progress: true,
  error: true,
  projection: true,
  stitchReport: true,
  duplicateOfId: true,
} as const;

/**
 * Web uploads as REST: open a tus upload for a content, and follow it through processing. The bytes
 * go to `uploadUrl` with any tus client (the edge serves TUS_PATH with the uploads domain's intake).
 */
export const uploadsRouter = router({
  create: protectedProcedure
    .meta({ openapi: { method: 'POST', path: '/uploads', tags: ['uploads'], summary: 'Open a resumable (tus) upload of a raw 360° video', protect: true } })
    .input(uploadCreateInput)
    .output(uploadCreatedSchema)
    .mutation(async ({ ctx, input }) => {
      const problem = await checkUploadTarget(ctx, ctx.user, input);
      if (problem) throw new TRPCError({ code: HTTP_CODES[problem.status as keyof typeof HTTP_CODES] ?? 'BAD_REQUEST', message: problem.message });
      const uploadId = randomUUID();
      // The tus store learns of it now, so a PATCH at offset 0 (or a HEAD to resume) needs nothing more.
      const store = openSourceStore(ctx.config);
      try {
        await store.create(
          new Upload({
            id: uploadId,
            size: input.size,
            offset: 0,
            metadata: { contentId: input.contentId, filename: input.fileName },
            creation_date: ctx.now().toISOString(),
          }),
        );
      } finally {
        if (store instanceof BucketUploadStore) store.destroy();
      }
      await ctx.prisma.sourceUpload.create({ data: newUploadRow(ctx, ctx.user, uploadId, input) });
      return { uploadId, uploadUrl: `${ctx.baseUrl}${TUS_PATH}/${uploadId}`, status: 'uploading' as const };
    }),

  get: protectedProcedure
    .meta({
      openapi: {
        method: 'GET',
        path: '/uploads/{uploadId}',
        tags: ['uploads'],
        summary: 'Where an upload is: status, progress 0-1, and why it failed',
        protect: true,
      },
    })
    .input(uploadIdInput)
    .output(uploadStateSchema)
    .query(async ({ ctx, input }): Promise<UploadState> => {
      const row = await ctx.prisma.sourceUpload.findUnique({ where: { id: input.uploadId }, select: stateSelect });
      if (!row || (row.ownerId !== ctx.user.id && ctx.user.role !== 'admin')) throw notFound('upload');
      // A duplicate follows the upload that was processed.
      const shown = row.duplicateOfId ? ((await ctx.prisma.sourceUpload.findUnique({ where: { id: row.duplicateOfId }, select: stateSelect })) ?? row) : row;
      const content = await ctx.prisma.content.findUnique({ where: { id: shown.contentId }, select: { status: true } });
      const report = uploadStitchReportSchema.safeParse(shown.stitchReport);
      const projection = projectionSchema.safeParse(shown.projection);
      return {
        uploadId: row.id,
        contentId: row.contentId,
        fileName: row.fileName,
        size: Number(row.size),
        status: row.duplicateOfId ? shown.status : row.status,
        progress: Math.max(0, Math.min(1, shown.progress)),
        error: shown.error,
        projection: projection.success ? projection.data : null,
        stitchReport: report.success ? report.data : null,
        duplicateOf: row.duplicateOfId ? { uploadId: shown.id, contentId: shown.contentId } : null,
        watchUrl: shown.status === 'ready' && content?.status === 'ready' ? `/watch/${shown.contentId}` : null,
      };
    }),
});
