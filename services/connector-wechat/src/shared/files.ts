import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Attachment } from '@switchboard/schema';
import { sha256Hex } from '@switchboard/runtime';

/**
 * A received file as an attachment: name, type, size and SHA-256, its bytes kept under the connector's
 * data dir named by their hash (`<dataDir>/files/<sha256>`, in `storageRef`) when not over `maxBytes`.
 */
export function keepFile(dataDir: string, file: { name: string; contentType: string; bytes: Buffer }, maxBytes: number): Attachment {
  const sha256 = sha256Hex(file.bytes);
  const attachment: Attachment = { name: file.name, contentType: file.contentType, size: file.bytes.length, sha256 };
  if (file.bytes.length > maxBytes) return attachment;
  const folder = join(dataDir, 'files');
  mkdirSync(folder, { recursive: true });
  const path = join(folder, sha256);
  writeFileSync(path, file.bytes);
  return { ...attachment, storageRef: path };
}
