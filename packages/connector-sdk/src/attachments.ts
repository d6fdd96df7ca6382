import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, open, rename } from 'node:fs/promises';
import { basename, dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import type { Attachment } from '@switchboard/schema';

/**
 * Attachment bytes a connector keeps, and where a reader finds them. Each connector's `dataDir` is
 * `<root>/<connector name>` (the host makes it so); a kept file is named by its SHA-256 under
 * `attachments/`, and its `storageRef` is its path relative to `<root>`, so the gateway, which knows the
 * root but no connector, serves it (`resolveStorageRef`). The same bytes kept twice are one file.
 */
export async function keepAttachment(dataDir: string, bytes: Buffer, file: { name: string; contentType: string }): Promise<Attachment> {
  const sha256 = createHash('sha256').update(bytes).digest('hex');
  const inConnector = join('attachments', sha256.slice(0, 2), sha256);
  const path = join(dataDir, inConnector);
  if (!existsSync(path)) await writeDurably(path, bytes);
  return { name: file.name, contentType: file.contentType, size: bytes.length, sha256, storageRef: join(basename(dataDir), inConnector).split(sep).join('/') };
}

/** Written under a temporary name, flushed, then renamed: a crash never leaves half a file under the final name. */
export async function writeDurably(path: string, bytes: Buffer | string): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  const temp = `${path}.${process.pid}.${Date.now().toString(36)}.tmp`;
  const handle = await open(temp, 'w');
  try {
    await handle.writeFile(bytes);
    await handle.sync();
  } finally {
    await handle.close();
  }
  await rename(temp, path);
}

/**
 * The file a `storageRef` names under the connectors' data folder `root`, or undefined when it points
 * outside it (a reference is data from a topic: it must never reach other files). Relative references are
 * taken from `root`; an absolute one is accepted when it lies inside it.
 */
export function resolveStorageRef(root: string, ref: string): string | undefined {
  const base = resolve(root);
  const path = isAbsolute(ref) ? resolve(ref) : resolve(base, ref);
  const inside = relative(base, path);
  if (!inside || inside.startsWith('..') || isAbsolute(inside)) return undefined;
  return path;
}
