import { createWriteStream, existsSync, readFileSync, renameSync, writeFileSync, type WriteStream } from 'node:fs';
import { join } from 'node:path';
import type { Logger } from '@switchboard/runtime';
import type { HistoryEntry } from './protocol.ts';
import type { SessionStore } from './sessions.ts';

export const JOURNAL_FILE = 'webchat-history.jsonl';

interface JournalLine {
  session: string;
  entry: HistoryEntry;
}

function isJournalLine(value: unknown): value is JournalLine {
  const line = value as Partial<JournalLine> | null;
  const entry = line?.entry as Partial<HistoryEntry> | undefined;
  return (
    typeof line?.session === 'string' &&
    typeof entry?.id === 'string' &&
    typeof entry.text === 'string' &&
    typeof entry.at === 'string' &&
    (entry.from === 'customer' || entry.from === 'agent' || entry.from === 'system')
  );
}

/**
 * The web chat's history on disk, so that a restart does not empty a customer's chat window: every
 * entry the session store keeps is appended as one JSON line to `<dataDir>/webchat-history.jsonl`. On
 * start the file is read back into the (bounded) store and rewritten with only what the store kept;
 * after `compactAfter` more lines it is rewritten again, so it stays within about twice the store.
 * A line cut short by a crash is skipped. The durable record of a conversation is still the ticket
 * store; this is what the customer's page shows.
 */
export class HistoryJournal {
  private stream: WriteStream;
  private linesSinceCompaction = 0;

  private constructor(
    private readonly path: string,
    private readonly sessions: SessionStore,
    private readonly compactAfter: number,
    private readonly logger: Logger,
  ) {
    this.stream = this.compact();
  }

  /** Replays `<dataDir>/webchat-history.jsonl` into `sessions` and keeps recording there. */
  static open(dataDir: string, sessions: SessionStore, options: { compactAfter: number; logger: Logger }): HistoryJournal {
    const path = join(dataDir, JOURNAL_FILE);
    if (existsSync(path)) {
      let skipped = 0;
      for (const text of readFileSync(path, 'utf8').split('\n')) {
        if (!text) continue;
        let line: unknown;
        try {
          line = JSON.parse(text);
        } catch {
          line = undefined;
        }
        if (isJournalLine(line)) sessions.append(line.session, line.entry);
        else skipped++;
      }
      options.logger.info('web chat history restored', { sessions: sessions.size, ...(skipped > 0 ? { unreadableLines: skipped } : {}) });
    }
    return new HistoryJournal(path, sessions, options.compactAfter, options.logger);
  }

  record(session: string, entry: HistoryEntry): void {
    this.stream.write(`${JSON.stringify({ session, entry } satisfies JournalLine)}\n`);
    if (++this.linesSinceCompaction >= this.compactAfter) {
      const previous = this.stream;
      this.stream = this.compact();
      // Its unwritten lines would land in the replaced file; the new one holds them already.
      previous.destroy();
    }
  }

  async close(): Promise<void> {
    await new Promise<void>((resolve) => this.stream.end(resolve));
  }

  /** Rewrites the file from the store (atomically: a new file renamed over the old) and appends there. */
  private compact(): WriteStream {
    const lines: string[] = [];
    for (const [session, history] of this.sessions.entries()) for (const entry of history) lines.push(JSON.stringify({ session, entry } satisfies JournalLine));
    const temporary = `${this.path}.${process.pid}.tmp`;
    writeFileSync(temporary, lines.length > 0 ? `${lines.join('\n')}\n` : '');
    renameSync(temporary, this.path);
    this.linesSinceCompaction = 0;
    const stream = createWriteStream(this.path, { flags: 'a' });
    stream.on('error', (error) => this.logger.error('web chat history not written to disk', { path: this.path, error }));
    return stream;
  }
}
