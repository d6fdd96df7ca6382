import { mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { sha256Hex } from '@switchboard/runtime';
import { keepAttachment, resolveStorageRef } from '../src/index.ts';

describe('the attachment store', () => {
  it('keeps bytes once under their SHA-256 and refers to them from the connectors’ data folder', async () => {
    const root = mkdtempSync(join(tmpdir(), 'sb-attachments-'));
    const bytes = Buffer.from('a voicemail, say');
    const kept = await keepAttachment(join(root, 'some-connector'), bytes, { name: 'voicemail.wav', contentType: 'audio/wav' });
    const sha256 = sha256Hex(bytes);
    expect(kept).toEqual({ name: 'voicemail.wav', contentType: 'audio/wav', size: bytes.length, sha256, storageRef: `some-connector/attachments/${sha256.slice(0, 2)}/${sha256}` });
    expect(readFileSync(resolveStorageRef(root, kept.storageRef!)!).equals(bytes)).toBe(true);
    // The same bytes again: the same file, no temporary leftovers.
    const again = await keepAttachment(join(root, 'some-connector'), bytes, { name: 'copy.wav', contentType: 'audio/wav' });
    expect(again.storageRef).toBe(kept.storageRef);
    expect(readdirSync(join(root, 'some-connector', 'attachments', sha256.slice(0, 2)))).toEqual([sha256]);
  });

  it('resolves references inside the folder only', () => {
    const root = mkdtempSync(join(tmpdir(), 'sb-attachments-'));
    expect(resolveStorageRef(root, 'c/attachments/ab/x')).toBe(join(root, 'c/attachments/ab/x'));
    expect(resolveStorageRef(root, join(root, 'c', 'file'))).toBe(join(root, 'c', 'file'));
    for (const ref of ['../outside', 'c/../../outside', '/etc/passwd', '', '.']) expect(resolveStorageRef(root, ref), ref).toBeUndefined();
  });
});
