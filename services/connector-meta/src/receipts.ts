/**
 * Receipts name our messages by Meta's ids (mid, wamid) or by time (Messenger's watermark: "every
 * message sent before this was delivered/read"), never by our outbound id. So each send is noted per
 * customer, in the connector's checkpoints (the compacted topic: it survives restarts and needs nothing
 * but Kafka), and a receipt is matched against those notes to become delivery reports.
 */
import type { ConnectorContext } from '@switchboard/connector-sdk';
import type { DeliveryReport } from '@switchboard/schema';
import type { Receipt } from './events.ts';
import type { MetaChannel } from './outbound.ts';

export interface SentNote {
  outboundId: string;
  ticketId: string;
  /** Meta's ids of what was sent (several when a long reply went out in pieces). */
  externalIds: string[];
  /** Epoch ms just before the send request: never after Meta's own timestamp of the message. */
  requestedAt: number;
  /** The latest receipt reported for it. */
  state?: 'delivered' | 'read' | 'failed';
}

export interface ReceiptOutcome {
  note: SentNote;
  status: 'delivered' | 'read' | 'failed';
  reason?: string;
}

/** Notes older than any Meta window (7 days) can get no more receipts that matter. */
const KEEP_MS = 8 * 24 * 3_600_000;
const KEEP_PER_CUSTOMER = 50;

/** A receipt's new states, only where they move a message forward (read after delivered, never back). */
export function applyReceipt(notes: readonly SentNote[], receipt: Receipt): { outcomes: ReceiptOutcome[]; notes: SentNote[] } {
  if (receipt.status === 'sent') return { outcomes: [], notes: [...notes] };
  const named = receipt.ids ? notes.filter((n) => n.externalIds.some((id) => receipt.ids!.includes(id))) : [];
  let upTo = receipt.watermark;
  // Reading a message means having seen the ones before it.
  if (receipt.status === 'read' && named.length > 0) upTo = Math.max(upTo ?? 0, ...named.map((n) => n.requestedAt));
  const covered = (n: SentNote) => named.includes(n) || (receipt.status !== 'failed' && upTo !== undefined && n.requestedAt <= upTo);
  const moves = (n: SentNote) => (receipt.status === 'read' ? n.state === undefined || n.state === 'delivered' : n.state === undefined);
  const outcomes: ReceiptOutcome[] = [];
  const next = notes.map((note) => {
    if (!covered(note) || !moves(note)) return note;
    const moved = { ...note, state: receipt.status as SentNote['state'] };
    outcomes.push({ note: moved, status: receipt.status as ReceiptOutcome['status'], ...(receipt.reason ? { reason: receipt.reason } : {}) });
    return moved;
  });
  return { outcomes, notes: next };
}

/** What is worth keeping: recent notes whose message can still be delivered or read. */
export function pruneNotes(notes: readonly SentNote[], now: number): SentNote[] {
  return notes
    .filter((n) => now - n.requestedAt < KEEP_MS && n.state !== 'read' && n.state !== 'failed')
    .sort((a, b) => a.requestedAt - b.requestedAt)
    .slice(-KEEP_PER_CUSTOMER);
}

/** The notes of each customer, read and written one change at a time (a send and a receipt may race). */
export class SentLog {
  private readonly turns = new Map<string, Promise<unknown>>();

  constructor(
    private readonly context: () => ConnectorContext | undefined,
    private readonly now: () => Date,
  ) {}

  /** Notes a message sent to `customer`, for the receipts that will name it. */
  record(channel: MetaChannel, account: string, customer: string, note: SentNote): Promise<void> {
    return this.change(channel, account, customer, async (notes) => ({ notes: [...notes.filter((n) => n.outboundId !== note.outboundId), note] }));
  }

  /** Reports what `receipt` says of our messages; resolves once every report is on the delivery topic. */
  apply(receipt: Receipt): Promise<number> {
    return this.change(receipt.channel, receipt.account, receipt.customer, async (notes, context) => {
      const { outcomes, notes: next } = applyReceipt(notes, receipt);
      if (outcomes.length === 0) return { notes: next, unchanged: true, result: 0 };
      for (const outcome of outcomes) await context.reportDelivery(this.report(receipt, outcome));
      return { notes: next, result: outcomes.length };
    });
  }

  private report(receipt: Receipt, { note, status, reason }: ReceiptOutcome): DeliveryReport {
    return {
      schemaVersion: 1,
      outboundId: note.outboundId,
      ticketId: note.ticketId,
      channel: receipt.channel,
      status,
      ...(reason ? { reason } : {}),
      ...(note.externalIds[0] ? { externalId: note.externalIds[0] } : {}),
      // A failure learned after the send is dated when we learned it: Meta's whole-second timestamp could
      // sort it before our own "sent" of the same second.
      at: status === 'failed' ? this.now().toISOString() : receipt.at,
    };
  }

  private async change<T>(
    channel: MetaChannel,
    account: string,
    customer: string,
    update: (notes: SentNote[], context: ConnectorContext) => Promise<{ notes: SentNote[]; unchanged?: boolean; result?: T }>,
  ): Promise<T> {
    const stream = `receipts:${channel}:${customer}`;
    const key = `${account}/${stream}`;
    const turn = (this.turns.get(key) ?? Promise.resolve()).catch(() => undefined).then(async () => {
      const context = this.context();
      if (!context) throw new Error('the Meta connector is not running');
      const stored = context.checkpoint(account, stream)?.notes;
      const { notes, unchanged, result } = await update(Array.isArray(stored) ? (stored as SentNote[]) : [], context);
      if (!unchanged) await context.saveCheckpoint({ account, stream, position: { notes: pruneNotes(notes, this.now().getTime()) } });
      return result as T;
    });
    this.turns.set(key, turn);
    void turn.finally(() => this.turns.get(key) === turn && this.turns.delete(key)).catch(() => undefined);
    return turn;
  }
}
