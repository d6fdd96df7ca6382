import { createHash, randomBytes } from 'node:crypto';
import { createWriteStream, existsSync } from 'node:fs';
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { once } from 'node:events';
import { dirname, join } from 'node:path';
import type { Readable } from 'node:stream';
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

export interface StoredOriginal {
  sha256: string;
  size: number;
  /** The first bytes, as many as asked for: what the message is read from. */
  head: Buffer;
}

/**
 * Streams a message too large to hold in memory into the store under its sha256 (the same original
 * read twice is stored once), keeping its first `headBytes` to read the message from.
 */
export async function storeStream(dataDir: string, stream: Readable, headBytes: number): Promise<StoredOriginal> {
  const dir = join(dataDir, 'attachments');
  await mkdir(dir, { recursive: true });
  const temp = join(dir, `.incoming.${process.pid}.${randomBytes(6).toString('hex')}`);
  const hash = createHash('sha256');
  const head: Buffer[] = [];
  let kept = 0;
  let size = 0;
  const out = createWriteStream(temp);
  try {
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      hash.update(chunk);
      size += chunk.length;
      if (kept < headBytes) {
        head.push(chunk.subarray(0, headBytes - kept));
        kept += Math.min(chunk.length, headBytes - kept);
      }
      if (!out.write(chunk)) await once(out, 'drain');
    }
    await new Promise<void>((resolve, reject) => out.end((error?: Error | null) => (error ? reject(error) : resolve())));
    const sha256 = hash.digest('hex');
    const path = join(dataDir, storageRefOf(sha256));
    if (existsSync(path)) await rm(temp, { force: true });
    else {
      await mkdir(dirname(path), { recursive: true });
      await rename(temp, path);
    }
    return { sha256, size, head: Buffer.concat(head) };
  } catch (error) {
    out.destroy();
    await rm(temp, { force: true });
    throw error;
  }
}
