import type { DeliveryReport } from '@switchboard/schema';
import type { Queryable } from '@switchboard/db';
import { IN_LIST, jsonParam } from './write.ts';

/**
 * Delivery reports. Every report is kept in `deliveries` and the latest one per outbound message is
 * applied to it. A report that names what was sent only by the channel's id (`externalId`: a bounce
 * quoting our Message-ID, a status callback) is applied to the outbound message the channel reported
 * sent under that id; one that arrives before that "sent" report waits in `unmatched_deliveries`, and
 * the "sent" report takes it over.
 *
 * Lock order: the channel id of what was sent, then outbound ids (recordOutbounds takes only the
 * latter), so two reports of one message are applied one after the other and never miss each other.
 */

const lock = (tx: Queryable, key: string) => tx.query('SELECT pg_advisory_xact_lock(hashtext($1::text))', [key]);
const sentAsKey = (channel: string, externalId: string) => `sent-as\u001f${channel}\u001f${externalId}`;

interface Target {
  outbound_id: string;
  ticket_id: string | null;
}

/** Records one report and applies it; returns the outbound ids it was applied to (none while unmatched). */
export async function recordDelivery(tx: Queryable, report: DeliveryReport): Promise<string[]> {
  const { channel, externalId } = report;
  if (externalId) await lock(tx, sentAsKey(channel, externalId));
  const targets: Target[] = report.outboundId ? [{ outbound_id: report.outboundId, ticket_id: report.ticketId ?? null }] : await outboundsSentAs(tx, channel, externalId!);
  if (targets.length === 0) {
    await tx.query(
      `INSERT INTO unmatched_deliveries (channel, external_id, status, at, reason) VALUES ($1::text, $2::text, $3::text, $4::timestamptz, $5::text)
       ON CONFLICT DO NOTHING`,
      [channel, externalId, report.status, report.at, report.reason ?? null],
    );
    return [];
  }
  const ids = targets.map((t) => t.outbound_id).sort();
  for (const id of ids) await lock(tx, id);
  // A report that names what was sent comes after the send, whatever its clock says (a bounce's Date has
  // whole seconds, the send's report milliseconds): it is placed after that send's report.
  const at = report.outboundId ? '$3::timestamptz' : `GREATEST($3::timestamptz, (SELECT max(d.at) + interval '1 millisecond' FROM deliveries d WHERE d.outbound_id = x.outbound_id AND d.status = 'sent'))`;
  await tx.query(
    `INSERT INTO deliveries (outbound_id, status, at, ticket_id, channel, reason, external_id)
     SELECT x.outbound_id, $2::text, ${at}, x.ticket_id, $4::text, $5::text, $6::text
     FROM jsonb_to_recordset($1::text::jsonb) AS x(outbound_id text, ticket_id text) ON CONFLICT DO NOTHING`,
    [jsonParam(targets), report.status, report.at, channel, report.reason ?? null, externalId ?? null],
  );
  if (report.outboundId && externalId) await adoptUnmatched(tx, targets[0]!, channel, externalId, report.at);
  await applyLatestDeliveries(tx, ids);
  return ids;
}

/** The outbound messages a channel reported sent as `externalId`. */
async function outboundsSentAs(tx: Queryable, channel: string, externalId: string): Promise<Target[]> {
  const { rows } = await tx.query<{ outbound_id: string; ticket_id: string | null }>(
    `SELECT id AS outbound_id, ticket_id FROM messages WHERE direction = 'outbound' AND channel = $1::text AND delivered_external_id = $2::text
     UNION
     SELECT outbound_id, ticket_id FROM deliveries WHERE channel = $1::text AND external_id = $2::text AND status = 'sent'`,
    [channel, externalId],
  );
  // A report that arrived before the outbound message was recorded has no ticket yet: one row per message.
  const byId = new Map<string, Target>();
  for (const row of rows) if (!byId.get(row.outbound_id)?.ticket_id) byId.set(row.outbound_id, row);
  return [...byId.values()];
}

/** Reports that named `externalId` before the channel said it had sent something under it. */
async function adoptUnmatched(tx: Queryable, target: Target, channel: string, externalId: string, sentAt: string): Promise<void> {
  await tx.query(
    `WITH adopted AS (DELETE FROM unmatched_deliveries WHERE channel = $2::text AND external_id = $3::text RETURNING *)
     INSERT INTO deliveries (outbound_id, status, at, ticket_id, channel, reason, external_id)
     SELECT $1::text, a.status, GREATEST(a.at, $5::timestamptz + interval '1 millisecond'), $4::text, a.channel, a.reason, a.external_id
     FROM adopted a ON CONFLICT DO NOTHING`,
    [target.outbound_id, channel, externalId, target.ticket_id, sentAt],
  );
}

/**
 * The channel's receipts win: `read` over `delivered` over the rest, whenever each arrived (a receipt
 * dated by the channel's clock may sort before our own `sent` of the same second). Between `sent` and
 * `failed` the latest wins: a retry that succeeded after a failure shows as sent, and a failure the
 * channel reports after accepting the message (a bounce) shows as failed.
 */
export async function applyLatestDeliveries(tx: Queryable, outboundIds: string[]): Promise<void> {
  const latest = `WITH latest AS (SELECT DISTINCT ON (outbound_id) outbound_id, status, reason, external_id, at FROM deliveries
                  WHERE outbound_id IN ${IN_LIST('$1')}
                  ORDER BY outbound_id, CASE status WHEN 'read' THEN 2 WHEN 'delivered' THEN 1 ELSE 0 END DESC, at DESC, (status = 'sent') DESC)`;
  await tx.query(
    `${latest} UPDATE messages m SET delivery_state = latest.status, delivery_reason = latest.reason,
       delivered_external_id = COALESCE(latest.external_id, m.delivered_external_id), delivered_at = latest.at
     FROM latest WHERE m.id = latest.outbound_id AND m.direction = 'outbound'`,
    [jsonParam(outboundIds)],
  );
  await tx.query(`${latest} UPDATE tickets t SET ack_state = latest.status FROM latest WHERE t.ack_outbound_id = latest.outbound_id`, [jsonParam(outboundIds)]);
}
