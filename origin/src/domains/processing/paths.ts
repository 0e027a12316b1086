import path from 'node:path';
import type { OriginConfig } from '../../core/config.ts';

/** Where tus keeps an upload's bytes (@tus/file-store names the file after the upload id). */
export function sourceFileOf(config: Pick<OriginConfig, 'uploadsDir'>, uploadId: string): string {
  return path.join(config.uploadsDir, uploadId);
}

/** Scratch folder of one upload's processing (the transcoded ladder before it is published). */
export function workDirOf(config: Pick<OriginConfig, 'dataDir'>, uploadId: string): string {
  return path.join(config.dataDir, 'work', uploadId);
}
