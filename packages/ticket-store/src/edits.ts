import type { RoutedMessage } from '@switchboard/schema';
import type { Queryable } from '@switchboard/db';
import { previewOf } from './rows.ts';
import { PRIORITY_ORDER } from './write.ts';

/**
 * Applies an edit or deletion to its target; the edit's id in the history makes a redelivery a no-op.
 * An `edited` record carries the message's new content: its text, and its subject, attachments and call
 * when it has them (a call whose recording and transcript arrived after it was first reported), and the
 * router's classification of the new text. When the edited message opened its ticket, the ticket follows:
 * preview, subject and classification (unless a person corrected the category). A customer message's
 * new priority raises its ticket's, never lowers it.
 */
export async function applyEdit(tx: Queryable, m: RoutedMessage): Promise<'applied' | 'duplicate' | 'orphan'> {
  const edit = m.edit!;
  const entry = { id: m.id, kind: edit.kind, at: m.sentAt };
  const updated = await tx.query<{ ticket_id: string | null; auto_submitted: string | null }>(
    `UPDATE messages SET
       text = CASE WHEN $2::text = 'edited' THEN $4::text ELSE text END,
       edited_at = CASE WHEN $2::text = 'edited' THEN $5::timestamptz ELSE edited_at END,
       deleted_at = CASE WHEN $2::text = 'deleted' THEN $5::timestamptz ELSE deleted_at END,
       subject = CASE WHEN $2::text = 'edited' AND $7::text IS NOT NULL THEN $7::text ELSE subject END,
       attachments = CASE WHEN $2::text = 'edited' AND jsonb_array_length($8::text::jsonb) > 0 THEN $8::text::jsonb ELSE attachments END,
       call = CASE WHEN $2::text = 'edited' AND $9::text IS NOT NULL THEN $9::text::jsonb ELSE call END,
       category = CASE WHEN $2::text = 'edited' THEN $10::text ELSE category END,
       confidence = CASE WHEN $2::text = 'edited' THEN $11::double precision ELSE confidence END,
       triage = CASE WHEN $2::text = 'edited' THEN $12::boolean ELSE triage END,
       priority = CASE WHEN $2::text = 'edited' THEN $13::text ELSE priority END,
       language = CASE WHEN $2::text = 'edited' THEN $14::text ELSE language END,
       redactions = CASE WHEN $2::text = 'edited' THEN $15::text::jsonb ELSE redactions END,
       explanation = CASE WHEN $2::text = 'edited' THEN $16::text::jsonb ELSE explanation END,
       classifier_version = CASE WHEN $2::text = 'edited' THEN $17::text ELSE classifier_version END,
       edit_history = edit_history || jsonb_build_array($6::text::jsonb || jsonb_build_object('previousText', text))
     WHERE id = $1::text AND NOT edit_history @> jsonb_build_array(jsonb_build_object('id', $3::text))
     RETURNING ticket_id, auto_submitted`,
    [
      edit.targetId,
      edit.kind,
      m.id,
      m.text,
      m.sentAt,
      JSON.stringify(entry),
      m.subject ?? null,
      JSON.stringify(m.attachments),
      m.call ? JSON.stringify(m.call) : null,
      m.category,
      m.confidence,
      m.triage,
      m.priority,
      m.language,
      JSON.stringify(m.redactions),
      JSON.stringify(m.explanation),
      m.classifierVersion,
    ],
  );
  const row = updated.rows[0];
  if (!row) {
    const exists = await tx.query('SELECT 1 FROM messages WHERE id = $1::text', [edit.targetId]);
    return exists.rowCount > 0 ? 'duplicate' : 'orphan';
  }
  if (row.ticket_id !== null) await followEdit(tx, row.ticket_id, m, row.auto_submitted !== null);
  return 'applied';
}

async function followEdit(tx: Queryable, ticketId: string, m: RoutedMessage, automatic: boolean): Promise<void> {
  const edited = m.edit!.kind === 'edited';
  await tx.query(
    `UPDATE tickets SET updated_at = now(),
       preview = CASE WHEN $3::boolean AND opened_by_message_id = $2::text THEN $4::text ELSE preview END,
       subject = CASE WHEN $3::boolean AND opened_by_message_id = $2::text AND $5::text IS NOT NULL THEN $5::text ELSE subject END,
       category = CASE WHEN $3::boolean AND opened_by_message_id = $2::text AND NOT corrected THEN $6::text ELSE category END,
       confidence = CASE WHEN $3::boolean AND opened_by_message_id = $2::text AND NOT corrected THEN $7::double precision ELSE confidence END,
       triage = CASE WHEN $3::boolean AND opened_by_message_id = $2::text AND NOT corrected THEN $8::boolean ELSE triage END,
       language = CASE WHEN $3::boolean AND opened_by_message_id = $2::text THEN $9::text ELSE language END,
       priority = CASE WHEN $3::boolean AND NOT $11::boolean AND array_position(${PRIORITY_ORDER}, $10::text) < array_position(${PRIORITY_ORDER}, priority)
                       THEN $10::text ELSE priority END
     WHERE id = $1::text`,
    [ticketId, m.edit!.targetId, edited, previewOf(m.text), m.subject ?? null, m.category, m.confidence, m.triage, m.language, m.priority, automatic],
  );
}
