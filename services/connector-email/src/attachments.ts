import { existsSync } from 'node:fs';
import { mkdir, rename, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { storageRefOf, type AttachmentFile } from './normalize.ts';

/**
 * Keeps attachment bytes under the connector's data dir, named by their sha256: the same file sent
 * twice is stored once, and a re-read mail rewrites nothing. Written to a temp name first so a
 * crash never leaves a half file under the final name.
 */
export async function storeAttachments(dataDir: string, files: readonly AttachmentFile[]): Promise<void> {
  for (const file of files) {
    const path = join(dataDir, storageRefOf(file.sha256));
    if (existsSync(path)) continue;
    await mkdir(dirname(path), { recursive: true });
    const temp = `${path}.${process.pid}.tmp`;
    await writeFile(temp, file.content);
    await rename(temp, path);
  }
}
