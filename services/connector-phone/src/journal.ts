import { createHash } from 'node:crypto';
import { readdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { writeDurably } from '@switchboard/connector-sdk';
import type { Attachment } from '@switchboard/schema';
import type { CallRecord } from './calls.ts';
import type { Published } from './envelope.ts';

/** What the connector knows of one call: its record, the recordings it fetched, what it produced. */
export interface CallEntry {
  key: string;
  record: CallRecord;
  /** When the last callback about the call arrived: it is produced once callbacks have been quiet a moment. */
  lastArrivalAt: string;
  /** Fetched recordings by recording id, or why fetching failed. */
  files: Record<string, { attachment?: Attachment; error?: string; attempts: number }>;
  /** The provider was asked for the call's parties (a recording reported before any status). */
  lookedUp?: boolean;
  published?: Published;
}

/**
 * One file per call under the connector's data folder, written durably before a callback is answered:
 * a callback Twilio or the PBX heard "received" for survives a crash, and the call is produced on the
 * next start. Files of calls produced and quiet for `retentionMs` are removed.
 */
export class CallJournal {
  private readonly dir: string;

  constructor(dataDir: string) {
    this.dir = join(dataDir, 'calls');
  }

  private path(key: string): string {
    return join(this.dir, `${createHash('sha256').update(key).digest('hex').slice(0, 40)}.json`);
  }

  async load(key: string): Promise<CallEntry | undefined> {
    try {
      return JSON.parse(await readFile(this.path(key), 'utf8')) as CallEntry;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
      throw error;
    }
  }

  save(entry: CallEntry): Promise<void> {
    return writeDurably(this.path(entry.key), JSON.stringify(entry));
  }

  async all(): Promise<CallEntry[]> {
    let names: string[];
    try {
      names = await readdir(this.dir);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw error;
    }
    const entries: CallEntry[] = [];
    for (const name of names.filter((n) => n.endsWith('.json'))) {
      entries.push(JSON.parse(await readFile(join(this.dir, name), 'utf8')) as CallEntry);
    }
    return entries;
  }

  remove(key: string): Promise<void> {
    return rm(this.path(key), { force: true });
  }
}
