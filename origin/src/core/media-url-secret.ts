import { randomBytes } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';

/**
 * The media URL signing secret: MEDIA_URL_SECRET when set (every origin of a platform shares it),
 * else one generated on the first start and kept in DATA_DIR/secrets (mode 0600).
 */
export async function mediaUrlSecret(configured: string | undefined, dataDir: string): Promise<Buffer> {
  if (configured) return Buffer.from(configured, 'utf8');
  const file = path.join(dataDir, 'secrets', 'media-url.key');
  try {
    const saved = await readFile(file, 'utf8');
    if (saved.trim().length >= 43) return Buffer.from(saved.trim(), 'utf8');
  } catch {
    // First start: made below.
  }
  const secret = randomBytes(32).toString('base64url');
  await mkdir(path.dirname(file), { recursive: true, mode: 0o700 });
  await writeFile(file, `${secret}\n`, { mode: 0o600 });
  return Buffer.from(secret, 'utf8');
}
