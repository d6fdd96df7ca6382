import { parseWith } from '@switchboard/schema';
import type { Queryable, Row } from '@switchboard/db';
import { iso } from './rows.ts';
import { CorrectionFilter, CorrectionReview, type Correction, type CorrectionField, type TicketPatch } from './types.ts';

/**
 * Corrections: every change a person makes to a ticket's category or priority, kept as a labelled
 * example of the message that opened the ticket (the one those were decided from), with who and
 * when; an admin may exclude one from training.
 */

const CORRECTION_COLUMNS = `k.id, k.ticket_id, t.number AS ticket_number, k.message_id, k.field, k.from_value, k.to_value,
  m.subject, m.text, m.language, m.channel, k.classifier_version, k.corrected_by, k.corrected_at, k.excluded, k.excluded_by,
  k.excluded_at, k.exclusion_reason, m.deleted_at`;
const CORRECTION_FROM = `corrections k JOIN tickets t ON t.id = k.ticket_id JOIN messages m ON m.id = k.message_id`;

function toCorrection(row: Row): Correction {
  const optional = (value: unknown) => (value === null || value === undefined ? undefined : String(value));
  const correction: Correction = {
    id: String(row.id),
    ticketId: String(row.ticket_id),
    ticketNumber: String(row.ticket_number),
    messageId: String(row.message_id),
    field: row.field as CorrectionField,
    from: String(row.from_value),
    to: String(row.to_value),
    text: String(row.text),
    language: row.language as Correction['language'],
    channel: row.channel as Correction['channel'],
    correctedAt: iso(row.corrected_at),
    excluded: Boolean(row.excluded),
  };
  const extras = {
    subject: optional(row.subject),
    classifierVersion: optional(row.classifier_version),
    correctedBy: optional(row.corrected_by),
    excludedBy: optional(row.excluded_by),
    excludedAt: row.excluded_at ? iso(row.excluded_at) : undefined,
    exclusionReason: optional(row.exclusion_reason),
    messageDeletedAt: row.deleted_at ? iso(row.deleted_at) : undefined,
  };
  for (const [key, value] of Object.entries(extras)) if (value !== undefined) Object.assign(correction, { [key]: value });
  return correction;
}

/**
 * Records the category and priority changes `patch` makes to a ticket, in the transaction of the
 * update and before it (so the values it changes from are still the ticket's). Nothing is recorded
 * for a value set to what it already was.
 */
export async function recordCorrections(tx: Queryable, idOrNumber: string, patch: TicketPatch): Promise<void> {
  const changes = (['category', 'priority'] as const).filter((field) => patch[field] !== undefined);
  if (changes.length === 0) return;
  await tx.query(
    `INSERT INTO corrections (id, ticket_id, message_id, field, from_value, to_value, classifier_version, corrected_by)
     SELECT 'cor_' || replace(gen_random_uuid()::text, '-', ''), t.id, t.opened_by_message_id, x.field,
            CASE x.field WHEN 'category' THEN t.category ELSE t.priority END, x.to_value, m.classifier_version, $3::text
     FROM tickets t
     JOIN messages m ON m.id = t.opened_by_message_id
     CROSS JOIN jsonb_to_recordset($2::text::jsonb) AS x(field text, to_value text, ord int)
     WHERE (t.id = $1::text OR t.number = upper($1::text))
       AND x.to_value <> CASE x.field WHEN 'category' THEN t.category ELSE t.priority END
     ORDER BY x.ord`,
    [idOrNumber, JSON.stringify(changes.map((field, ord) => ({ field, to_value: patch[field], ord }))), patch.by ?? null],
  );
}

export async function listCorrections(q: Queryable, filter: CorrectionFilter = {}): Promise<Correction[]> {
  const f = parseWith(CorrectionFilter, 'CorrectionFilter', filter);
  const where: string[] = [];
  const params: unknown[] = [];
  const param = (value: unknown, cast: string) => {
    params.push(value);
    return `$${params.length}::${cast}`;
  };
  if (f.field !== undefined) where.push(`k.field = ${param(f.field, 'text')}`);
  if (f.excluded !== undefined) where.push(`k.excluded = ${param(f.excluded, 'boolean')}`);
  if (f.since !== undefined) where.push(`k.corrected_at >= ${param(f.since, 'timestamptz')}`);
  const { rows } = await q.query(
    `SELECT ${CORRECTION_COLUMNS} FROM ${CORRECTION_FROM} ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
     ORDER BY k.corrected_at, k.seq LIMIT ${param(f.limit ?? 100, 'int')} OFFSET ${param(f.offset ?? 0, 'int')}`,
    params,
  );
  return rows.map(toCorrection);
}

export async function reviewCorrection(q: Queryable, id: string, review: CorrectionReview): Promise<Correction | undefined> {
  const r = parseWith(CorrectionReview, 'CorrectionReview', review);
  const updated = await q.query(
    `UPDATE corrections SET excluded = $2::boolean,
       excluded_by = CASE WHEN $2::boolean THEN $3::text END,
       excluded_at = CASE WHEN $2::boolean THEN now() END,
       exclusion_reason = CASE WHEN $2::boolean THEN $4::text END
     WHERE id = $1::text RETURNING id`,
    [id, r.excluded, r.by ?? null, r.reason ?? null],
  );
  if (updated.rowCount === 0) return undefined;
  const { rows } = await q.query(`SELECT ${CORRECTION_COLUMNS} FROM ${CORRECTION_FROM} WHERE k.id = $1::text`, [id]);
  return rows[0] ? toCorrection(rows[0]) : undefined;
}
