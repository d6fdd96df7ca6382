import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { RoutedMessage } from '@switchboard/schema';
import { afterAll, beforeAll } from 'vitest';
import { freshDatabase, routedMessage as baseRoutedMessage } from '@switchboard/testkit';
import { openTicketStore, type TicketStore, type TicketStoreOptions } from '../src/index.ts';

export interface Backend {
  name: string;
  /** Options of an empty store; `persistent` asks PGlite for a folder instead of memory. */
  fresh(persistent?: boolean): Promise<{ options: TicketStoreOptions; drop(): Promise<void> }>;
}

export const BACKENDS: Backend[] = [
  {
    name: 'PGlite',
    async fresh(persistent = false) {
      if (!persistent) return { options: {}, drop: async () => undefined };
      const dataDir = mkdtempSync(join(tmpdir(), 'ticket-store-'));
      return { options: { dataDir }, drop: async () => rmSync(dataDir, { recursive: true, force: true }) };
    },
  },
  {
    name: 'PostgreSQL',
    async fresh() {
      const database = await freshDatabase();
      return { options: { url: database.url }, drop: database.drop };
    },
  },
];

let clock = Date.parse('2026-11-20T08:00:00.000Z');
/** Distinct, increasing send times, so the order of a test's messages is the order it wrote them. */
export function nextSentAt(): string {
  clock += 60_000;
  return new Date(clock).toISOString();
}

export function hoursFromNow(hours: number): string {
  return new Date(Date.now() + hours * 3_600_000).toISOString();
}

export function uniqueKey(label: string): string {
  return `${label}-${randomBytes(4).toString('hex')}`;
}

export interface MessageOverrides extends Partial<Omit<RoutedMessage, 'sender'>> {
  sender?: RoutedMessage['sender'];
}

/** A routed email with distinct, increasing send times, so a test's messages keep the order it wrote them. */
export function routedMessage(overrides: MessageOverrides = {}): RoutedMessage {
  return baseRoutedMessage({
    attachments: [{ name: 'screenshot.png', contentType: 'image/png', size: 48_213, sha256: 'a'.repeat(64) }],
    meta: { threadingReason: 'new' },
    ...overrides,
    sentAt: overrides.sentAt ?? nextSentAt(),
  });
}

/** An empty store on `backend` for the tests of the calling `describe`, closed and dropped after them. */
export function storeForTests(backend: Backend): () => TicketStore {
  let store: TicketStore | undefined;
  let drop: (() => Promise<void>) | undefined;
  beforeAll(async () => {
    const fresh = await backend.fresh();
    drop = fresh.drop;
    store = await openTicketStore(fresh.options);
  });
  afterAll(async () => {
    await store?.close();
    await drop?.();
  });
  return () => store!;
}
