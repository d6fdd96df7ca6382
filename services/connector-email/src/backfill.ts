import type { ConnectorContext } from '@switchboard/connector-sdk';
import type { EmailConnector } from './connector.ts';
import { PermanentError } from '@switchboard/runtime';

export class BackfillArgumentError extends PermanentError {
  override readonly name = 'BackfillArgumentError';
}

export interface BackfillOptions {
  since: Date;
  /** Only this account (its name or address); all when absent. */
  account?: string;
  /** Only this mailbox; all configured when absent. */
  mailbox?: string;
}

/**
 * Re-reads a window of every configured mailbox (IMAP SEARCH SINCE) and produces it again. The
 * cursors do not move, and nothing is duplicated downstream: ids come from Message-IDs, so the
 * sink upserts what it already has.
 */
export async function backfillMailboxes(connector: EmailConnector, context: ConnectorContext, options: BackfillOptions): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  for (const watcher of connector.createWatchers(context, context.signal)) {
    if (options.account && watcher.accountName !== options.account && watcher.address !== options.account.toLowerCase()) continue;
    if (options.mailbox && watcher.mailbox !== options.mailbox) continue;
    counts[watcher.label] = await watcher.backfill(options.since);
    context.logger.info('backfilled mailbox', { mailbox: watcher.label, since: options.since.toISOString(), messages: counts[watcher.label] });
  }
  return counts;
}

/** `--since YYYY-MM-DD [--account NAME] [--mailbox NAME]` */
export function parseBackfillArgs(argv: readonly string[]): BackfillOptions {
  const value = (flag: string) => {
    const index = argv.indexOf(flag);
    return index >= 0 ? argv[index + 1] : undefined;
  };
  const since = value('--since');
  if (!since || !/^\d{4}-\d{2}-\d{2}$/.test(since) || Number.isNaN(Date.parse(`${since}T00:00:00Z`))) {
    throw new BackfillArgumentError('usage: backfill --since YYYY-MM-DD [--account NAME] [--mailbox NAME]');
  }
  const account = value('--account');
  const mailbox = value('--mailbox');
  return { since: new Date(`${since}T00:00:00Z`), ...(account ? { account } : {}), ...(mailbox ? { mailbox } : {}) };
}
