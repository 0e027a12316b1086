import { z } from 'zod';
import { projectionSchema } from '../projection.ts';
import { idSchema } from './common.ts';

/**
 * Web uploads: a raw 360° video sent with the tus protocol, then processed on the server (probe,
 * stitch check, HLS ladder transcode, publish). `POST /api/uploads` opens one; any tus client then
 * `PATCH`es the bytes to `uploadUrl` with the same bearer token; `GET /api/uploads/{uploadId}` says
 * where it is.
 */
export const UPLOAD_STATUSES = ['uploading', 'queued', 'probing', 'checking', 'transcoding', 'publishing', 'ready', 'failed'] as const;
export const uploadStatusSchema = z.enum(UPLOAD_STATUSES);
export type UploadStatus = z.infer<typeof uploadStatusSchema>;

/** Where web uploads go (tus creation and the upload URLs below it). */
export const TUS_PATH = '/tus';

/** A file name as the creator's computer named it: shown back, never used as a path. */
export const uploadFileNameSchema = z
  .string()
  .trim()
  .min(1, 'must name the file')
  .max(255, 'must be at most 255 characters')
  .refine((name) => ![...name].some((c) => c < ' ' || c === '/' || c === '\\'), 'must be a file name without folders or control characters');

export const uploadCreateInput = z.object({
  contentId: idSchema,
  fileName: uploadFileNameSchema,
  /** Bytes the upload will have (tus Upload-Length). */
  size: z.number().int('must be a whole number of bytes').min(1, 'must be at least 1 byte').max(Number.MAX_SAFE_INTEGER),
});
export type UploadCreateInput = z.infer<typeof uploadCreateInput>;

export const uploadCreatedSchema = z.object({
  uploadId: idSchema,
  /** The tus upload: PATCH bytes to it (and HEAD it to resume) with the same bearer token. */
  uploadUrl: z.string(),
  status: uploadStatusSchema,
});
export type UploadCreated = z.infer<typeof uploadCreatedSchema>;

export const uploadIdInput = z.object({ uploadId: idSchema });

/** One finding of the server's stitch check (as the studio's `check --json` reports it). */
export const uploadStitchCheckSchema = z.object({
  id: z.string(),
  status: z.enum(['pass', 'warn', 'fail']),
  value: z.union([z.number(), z.string(), z.null()]),
  threshold: z.union([z.number(), z.string(), z.null()]),
  message: z.string(),
});
export const uploadStitchReportSchema = z.object({
  status: z.enum(['pass', 'warn', 'fail']),
  checks: z.array(uploadStitchCheckSchema),
});
export type UploadStitchReport = z.infer<typeof uploadStitchReportSchema>;

export const uploadStateSchema = z.object({
  uploadId: idSchema,
  contentId: idSchema,
  fileName: z.string(),
  size: z.number().int(),
  status: uploadStatusSchema,
  /** 0–1 within the current status (bytes received while uploading; the encode while transcoding). */
  progress: z.number().min(0).max(1),
  /** Why it failed, and what to do; null unless failed. */
  error: z.string().nullable(),
  /** The projection detected from the file's own metadata and shape, once probed. */
  projection: projectionSchema.nullable(),
  stitchReport: uploadStitchReportSchema.nullable(),
  /** An earlier upload of the same bytes by the same creator: this one was not processed again. */
  duplicateOf: z.object({ uploadId: idSchema, contentId: idSchema }).nullable(),
  /** Where to watch it once ready. */
  watchUrl: z.string().nullable(),
});
export type UploadState = z.infer<typeof uploadStateSchema>;
