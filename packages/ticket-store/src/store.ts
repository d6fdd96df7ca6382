import { DeliveryReport, OutboundMessage, parseWith, type Channel, type RoutedMessage } from '@switchboard/schema';
import { createLogger, RETRY_BUDGETS, withRetry, type Logger } from '@switchboard/runtime';
import { openDatabase, type Db, type Queryable, type Row } from '@switchboard/db';
import { migrateTicketStore } from './migrations.ts';
import { applyLatestDeliveries, recordDelivery } from './deliveries.ts';
import { listCorrections, recordCorrections, reviewCorrection } from './corrections.ts';
import { TICKET_COLUMNS, TICKET_FROM, toStoredMessage, toTicketSummary } from './rows.ts';
import { ConcurrentWriteError, type PlacementOutcome, followNamedTickets, IN_LIST, jsonParam, placeMessages, PRIORITY_ORDER } from './write.ts';
import { applyEdit } from './edits.ts';
import { assign, eventsAfter, lastEventId, queue } from './live.ts';
import { addTask, relatedByPhone, setTaskDone, tasksOf } from './tasks.ts';
import {
  TicketFilter,
  TicketPatch,
  type Correction,
  type CorrectionFilter,
  type CorrectionReview,
  UnknownTicketError,
  type PendingAck,
  type QueuedTicketRow,
  type StoredMessage,
  type TicketDetail,
  type TicketEvent,
  type TicketTask,
  type TicketVisibility,
  type TicketStats,
  type TicketStore,
  type TicketSummary,
  type WriteResult,
} from './types.ts';

export interface TicketStoreOptions {
  /** A database opened by the caller and shared with other stores; the caller closes it. */
  db?: Db;
  /** PostgreSQL connection URL; without it (and without `db`) the store is an embedded PGlite. */
  url?: string;
  /** PGlite's folder; without it (and without `url`) the store lives in memory. */
  dataDir?: string;
  /** A customer writing within this many hours of a ticket's resolution reopens it; later opens a new, linked ticket. */
  reopenWindowHours?: number;
  logger?: Logger;
}

const HOUR_MS = 3_600_000;
/** What a ticket an agent marked spam says (a filter's verdict, when there is one, is kept). */
const AGENT_SPAM_VERDICT = { reason: 'marked as spam by an agent' };

interface OrderedWrite {
  placement: PlacementOutcome;
  duplicates: string[];
  edited: string[];
  orphanEdits: string[];
}


/** Leaves LIKE's wildcards in a search term literal. */
function likePattern(term: string): string {
  return `%${term.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

export async function openTicketStore(options: TicketStoreOptions = {}): Promise<TicketStore> {
  const logger = options.logger ?? createLogger('ticket-store');
  const db = options.db ?? (await openDatabase(options, logger));
  const owned = options.db === undefined;
  try {
    const applied = await migrateTicketStore(db);
    if (applied.length > 0) logger.info('migrations applied', { versions: applied, database: db.kind });
  } catch (error) {
    if (owned) await db.close().catch(() => undefined);
    throw error;
  }
  return new SqlTicketStore(db, (options.reopenWindowHours ?? 72) * HOUR_MS, owned);
}

class SqlTicketStore implements TicketStore {
  constructor(
    private readonly db: Db,
    private readonly reopenWindowMs: number,
    /** Opened by the store, so closed by it; a shared database is the caller's to close. */
    private readonly ownsDb: boolean,
  ) {}

  async writeRouted(batch: RoutedMessage[]): Promise<WriteResult> {
    const result: WriteResult = { inserted: [], duplicates: [], edited: [], orphanEdits: [], newTickets: [], reopened: [] };
    if (batch.length === 0) return result;
    // A stable sort: messages sent at the same instant keep the order Kafka gave them.
    const ordered = batch
      .map((message, index) => ({ message, index, at: Date.parse(message.sentAt) }))
      .sort((a, b) => a.at - b.at || a.index - b.index)
      .map((item) => item.message);
    // Two writers of one batch (a rebalance): the second sees the first's rows on its next attempt.
    const { placement, duplicates, edited, orphanEdits } = await withRetry(() => this.db.transaction((tx) => this.writeOrdered(tx, ordered)), RETRY_BUDGETS['ticket-store.write-race'], {
      retryable: (error) => error instanceof ConcurrentWriteError,
    });
    result.inserted = placement.inserted;
    result.duplicates = duplicates;
    result.edited = edited;
    result.orphanEdits = orphanEdits;
    result.newTickets = placement.newTickets;
    result.reopened = placement.reopened;
    return result;
  }

  private async writeOrdered(tx: Queryable, ordered: RoutedMessage[]): Promise<OrderedWrite> {
    const duplicates: string[] = [];
    const edited: string[] = [];
    const orphanEdits: string[] = [];
    const known = await tx.query<{ id: string }>(`SELECT id FROM messages WHERE id IN ${IN_LIST('$1')}`, [
      jsonParam(ordered.filter((m) => !m.edit).map((m) => m.id)),
    ]);
    const seen = new Set(known.rows.map((r) => r.id));
    const fresh: RoutedMessage[] = [];
    for (const message of ordered) {
      if (message.edit) continue;
      if (seen.has(message.id)) duplicates.push(message.id);
      else fresh.push(message);
      seen.add(message.id);
    }
    const placement = await placeMessages(tx, await followNamedTickets(tx, fresh), this.reopenWindowMs);
    // Edits after the inserts: an edit may target a message of the same batch.
    for (const message of ordered.filter((m) => m.edit)) {
      const outcome = await applyEdit(tx, message);
      (outcome === 'applied' ? edited : outcome === 'duplicate' ? duplicates : orphanEdits).push(message.id);
    }
    return { placement, duplicates, edited, orphanEdits };
  }

  private async findTicket(q: Queryable, idOrNumber: string): Promise<TicketSummary | undefined> {
    const { rows } = await q.query(`SELECT ${TICKET_COLUMNS} FROM ${TICKET_FROM} WHERE t.id = $1::text OR t.number = upper($1::text)`, [idOrNumber]);
    return rows[0] ? toTicketSummary(rows[0]) : undefined;
  }

  async listTickets(filter: TicketFilter = {}, visibility?: TicketVisibility): Promise<TicketSummary[]> {
    const f = parseWith(TicketFilter, 'TicketFilter', filter);
    const where: string[] = [];
    const params: unknown[] = [];
    const param = (value: unknown, cast: string) => {
      params.push(value);
      return `$${params.length}::${cast}`;
    };
    for (const column of ['status', 'category', 'priority', 'channel', 'language'] as const) {
      const value = f[column];
      if (value !== undefined) where.push(`t.${column} = ${param(value, 'text')}`);
    }
    if (f.assignee !== undefined) where.push(`t.assignee = ${param(f.assignee, 'text')}`);
    if (f.unassigned) where.push('t.assignee IS NULL');
    if (visibility) where.push(`(t.category IN (SELECT jsonb_array_elements_text(${param(jsonParam(visibility.categories), 'text')}::jsonb)) OR t.assignee = ${param(visibility.userId, 'text')})`);
    if (f.spam !== undefined) where.push(f.spam ? 't.spam IS NOT NULL' : 't.spam IS NULL');
    const q = f.q?.trim();
    if (q) {
      const p = param(likePattern(q), 'text');
      where.push(`(t.number ILIKE ${p} OR t.subject ILIKE ${p} OR t.preview ILIKE ${p} OR ct.name ILIKE ${p} OR ct.address ILIKE ${p}
        OR ct.sender_id ILIKE ${p} OR ct.phone ILIKE ${p} OR EXISTS (SELECT 1 FROM messages m WHERE m.ticket_id = t.id AND m.text ILIKE ${p}))`);
    }
    const newest = 't.last_message_at DESC, t.seq DESC';
    const order = f.sort === 'urgent' ? `array_position(${PRIORITY_ORDER}, t.priority), ${newest}` : newest;
    const { rows } = await this.db.query(
      `SELECT ${TICKET_COLUMNS} FROM ${TICKET_FROM} ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
       ORDER BY ${order} LIMIT ${param(f.limit ?? 50, 'int')} OFFSET ${param(f.offset ?? 0, 'int')}`,
      params,
    );
    return rows.map(toTicketSummary);
  }

  async getTicket(idOrNumber: string): Promise<TicketDetail | undefined> {
    const ticket = await this.findTicket(this.db, idOrNumber);
    if (!ticket) return undefined;
    // The ticket's messages, and what of its conversation belongs to no ticket (automatic mail, events).
    const { rows } = await this.db.query(
      `SELECT m.* FROM messages m JOIN tickets t ON t.id = $1::text
       WHERE m.ticket_id = t.id OR (m.ticket_id IS NULL AND m.conversation_id = t.conversation_id)
       ORDER BY m.sent_at, m.received_at, m.id`,
      [ticket.id],
    );
    const [tasks, related] = await Promise.all([tasksOf(this.db, ticket.id), relatedByPhone(this.db, ticket.id)]);
    return { ticket, messages: rows.map(toStoredMessage), tasks, related };
  }

  addTask(idOrNumber: string, task: { id: string; text: string; createdAt?: string }): Promise<{ task: TicketTask; created: boolean } | undefined> {
    return addTask(this.db, idOrNumber, task);
  }

  setTaskDone(idOrNumber: string, taskId: string, done: boolean): Promise<TicketTask | undefined> {
    return setTaskDone(this.db, idOrNumber, taskId, done);
  }

  async updateTicket(idOrNumber: string, patch: TicketPatch): Promise<TicketSummary | undefined> {
    const p = parseWith(TicketPatch, 'TicketPatch', patch);
    return this.db.transaction(async (tx) => {
      await recordCorrections(tx, idOrNumber, p);
      const updated = await tx.query<{ id: string }>(
        `UPDATE tickets SET
           status = COALESCE($2::text, status),
           resolved_at = CASE WHEN $2::text = 'resolved' AND status <> 'resolved' THEN now()
                              WHEN $2::text IN ('open', 'pending') THEN NULL ELSE resolved_at END,
           priority = COALESCE($3::text, priority),
           category_corrected_from = CASE WHEN $4::text <> category THEN COALESCE(category_corrected_from, category) ELSE category_corrected_from END,
           corrected = corrected OR COALESCE($4::text <> category, false),
           corrected_at = CASE WHEN $4::text <> category THEN now() ELSE corrected_at END,
           -- A person chose the category: it no longer waits for triage.
           triage = CASE WHEN $4::text IS NOT NULL THEN false ELSE triage END,
           category = COALESCE($4::text, category),
           assignee = CASE WHEN $5::boolean THEN $6::text ELSE assignee END,
           spam = CASE WHEN $7::boolean IS NULL THEN spam WHEN $7::boolean THEN COALESCE(spam, $8::text::jsonb) ELSE NULL END,
           updated_at = now()
         WHERE id = (SELECT id FROM tickets WHERE id = $1::text OR number = upper($1::text))
         RETURNING id`,
        [idOrNumber, p.status ?? null, p.priority ?? null, p.category ?? null, p.assignee !== undefined, p.assignee ?? null, p.spam ?? null, JSON.stringify(AGENT_SPAM_VERDICT)],
      );
      const row = updated.rows[0];
      return row ? this.findTicket(tx, row.id) : undefined;
    });
  }

  listCorrections(filter?: CorrectionFilter): Promise<Correction[]> {
    return listCorrections(this.db, filter);
  }

  reviewCorrection(id: string, review: CorrectionReview): Promise<Correction | undefined> {
    return reviewCorrection(this.db, id, review);
  }

  recordOutbound(message: OutboundMessage): Promise<void> {
    return this.recordOutbounds([message]);
  }

  async recordOutbounds(messages: readonly OutboundMessage[]): Promise<void> {
    const outs = [...new Map(messages.map((m) => parseWith(OutboundMessage, 'OutboundMessage', m)).map((m) => [m.id, m])).values()];
    if (outs.length === 0) return;
    const ids = outs.map((o) => o.id).sort();
    // A fixed number of statements however many messages (a batch's acknowledgements).
    await this.db.transaction(async (tx) => {
      // Serialises with applyDelivery of the same ids: a report that races the recording (a web chat
      // delivers within milliseconds) must still be applied by one of the two transactions. Sorted,
      // so two writers never wait on each other in opposite orders.
      await tx.query(`SELECT pg_advisory_xact_lock(hashtext(id)) FROM jsonb_array_elements_text($1::text::jsonb) AS id ORDER BY id`, [jsonParam(ids)]);
      const tickets = await tx.query<{ id: string; conversation_id: string }>(`SELECT id, conversation_id FROM tickets WHERE id IN ${IN_LIST('$1')}`, [
        jsonParam([...new Set(outs.map((o) => o.ticketId))]),
      ]);
      const conversationOf = new Map(tickets.rows.map((t) => [t.id, t.conversation_id]));
      const missing = outs.find((o) => !conversationOf.has(o.ticketId));
      if (missing) throw new UnknownTicketError(missing.ticketId);
      const inserted = await tx.query<{ id: string }>(
        `INSERT INTO messages (id, direction, conversation_id, ticket_id, channel, account, conversation_key, sender, recipient, subject, text,
           meta, sent_at, received_at, kind, delivery_state, author)
         SELECT x.id, 'outbound', x.conversation_id, x.ticket_id, x.channel, x.account, x.conversation_key, x.sender, x.recipient, x.subject,
           x.text, x.meta, x.created_at, x.created_at, x.kind, 'queued', x.author
         FROM jsonb_to_recordset($1::text::jsonb) AS x(id text, conversation_id text, ticket_id text, channel text, account text,
           conversation_key text, sender jsonb, recipient jsonb, subject text, text text, meta jsonb, created_at timestamptz, kind text, author jsonb)
         ON CONFLICT (id) DO NOTHING RETURNING id`,
        [
          jsonParam(
            outs.map((out) => ({
              id: out.id,
              conversation_id: conversationOf.get(out.ticketId),
              ticket_id: out.ticketId,
              channel: out.channel,
              account: out.account,
              conversation_key: out.conversationKey,
              sender: { id: out.account },
              recipient: out.recipient,
              subject: out.subject ?? null,
              text: out.text,
              meta: { ...out.meta, ticketNumber: out.ticketNumber, public: out.public, ...(out.inReplyTo ? { inReplyTo: out.inReplyTo } : {}) },
              created_at: out.createdAt,
              kind: out.kind,
              author: out.author ?? null,
            })),
          ),
        ],
      );
      const fresh = new Set(inserted.rows.map((r) => r.id));
      if (fresh.size === 0) return;
      // One row per ticket: its acknowledgement when one was among the new messages.
      await tx.query(
        `UPDATE tickets t SET updated_at = now(),
           ack_outbound_id = CASE WHEN x.kind = 'ack' AND t.ack_outbound_id IS NULL THEN x.id ELSE t.ack_outbound_id END,
           ack_state = CASE WHEN x.kind = 'ack' AND t.ack_outbound_id IS NULL THEN 'queued' ELSE t.ack_state END
         FROM (SELECT DISTINCT ON (ticket_id) * FROM jsonb_to_recordset($1::text::jsonb) AS r(id text, ticket_id text, kind text)
               ORDER BY ticket_id, (kind = 'ack') DESC, id) x
         WHERE t.id = x.ticket_id`,
        [jsonParam(outs.filter((o) => fresh.has(o.id)).map((o) => ({ id: o.id, ticket_id: o.ticketId, kind: o.kind })))],
      );
      await applyLatestDeliveries(tx, [...fresh]);
    });
  }

  async applyDelivery(report: DeliveryReport): Promise<void> {
    const r = parseWith(DeliveryReport, 'DeliveryReport', report);
    await this.db.transaction((tx) => recordDelivery(tx, r));
  }

  async lastInbound(idOrNumber: string): Promise<StoredMessage | undefined> {
    const { rows } = await this.db.query(
      `SELECT m.* FROM messages m JOIN tickets t ON t.id = m.ticket_id
       WHERE (t.id = $1::text OR t.number = upper($1::text)) AND m.direction = 'inbound' AND m.deleted_at IS NULL
       ORDER BY (m.auto_submitted IS NULL) DESC, (m.event IS NULL) DESC, m.sent_at DESC, m.received_at DESC LIMIT 1`,
      [idOrNumber],
    );
    return rows[0] ? toStoredMessage(rows[0]) : undefined;
  }

  async pendingAcks(messageIds: readonly string[], channels: readonly Channel[], sentAfter?: Date): Promise<PendingAck[]> {
    if (messageIds.length === 0 || channels.length === 0) return [];
    const { rows } = await this.db.query(
      `SELECT ${TICKET_COLUMNS}, row_to_json(m.*) AS opening FROM ${TICKET_FROM}
       JOIN messages m ON m.id = t.opened_by_message_id
       WHERE t.opened_by_message_id IN ${IN_LIST('$1')} AND t.channel IN ${IN_LIST('$2')}
         AND t.ack_outbound_id IS NULL AND m.auto_submitted IS NULL AND m.sent_at > $3::timestamptz
       ORDER BY t.seq`,
      [jsonParam(messageIds), jsonParam(channels), (sentAfter ?? new Date(0)).toISOString()],
    );
    return rows.map((row) => ({ ticket: toTicketSummary(row), opening: toStoredMessage(row.opening as Row) }));
  }

  async stats(): Promise<TicketStats> {
    const totals = (
      await this.db.query<{ tickets: number; messages: number; corrections: number }>(
        `SELECT (SELECT count(*)::int FROM tickets) AS tickets, (SELECT count(*)::int FROM messages) AS messages,
                (SELECT count(*)::int FROM tickets WHERE corrected) AS corrections`,
      )
    ).rows[0]!;
    const byCategory: Record<string, number> = {};
    const { rows } = await this.db.query<{ category: string; n: number }>('SELECT category, count(*)::int AS n FROM tickets GROUP BY category');
    for (const row of rows) byCategory[row.category] = Number(row.n);
    return { tickets: Number(totals.tickets), messages: Number(totals.messages), corrections: Number(totals.corrections), byCategory };
  }

  eventsAfter(afterId: string, limit: number): Promise<TicketEvent[]> {
    return eventsAfter(this.db, afterId, limit);
  }

  lastEventId(): Promise<string> {
    return lastEventId(this.db);
  }

  queue(ids?: readonly string[]): Promise<QueuedTicketRow[]> {
    return queue(this.db, ids);
  }

  assign(changes: readonly { ticketId: string; assignee: string | null }[]): Promise<void> {
    return assign(this.db, changes);
  }

  async ping(): Promise<void> {
    await this.db.query('SELECT 1');
  }

  async close(): Promise<void> {
    if (this.ownsDb) await this.db.close();
  }
}
