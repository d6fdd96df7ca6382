import type { RoutedMessage } from '@switchboard/schema';
import type { Queryable } from '@switchboard/db';
import { previewOf } from './rows.ts';

/** Applies an edit or deletion to its target; the edit's id in the history makes a redelivery a no-op. */
export async function applyEdit(tx: Queryable, m: RoutedMessage): Promise<'applied' | 'duplicate' | 'orphan'> {
  const edit = m.edit!;
  const entry = { id: m.id, kind: edit.kind, at: m.sentAt };
  const updated = await tx.query<{ ticket_id: string | null }>(
    `UPDATE messages SET
       text = CASE WHEN $2::text = 'edited' THEN $4::text ELSE text END,
       edited_at = CASE WHEN $2::text = 'edited' THEN $5::timestamptz ELSE edited_at END,
       deleted_at = CASE WHEN $2::text = 'deleted' THEN $5::timestamptz ELSE deleted_at END,
       edit_history = edit_history || jsonb_build_array($6::text::jsonb || jsonb_build_object('previousText', text))
     WHERE id = $1::text AND NOT edit_history @> jsonb_build_array(jsonb_build_object('id', $3::text))
     RETURNING ticket_id`,
    [edit.targetId, edit.kind, m.id, m.text, m.sentAt, JSON.stringify(entry)],
  );
  const row = updated.rows[0];
  if (!row) {
    const exists = await tx.query('SELECT 1 FROM messages WHERE id = $1::text', [edit.targetId]);
    return exists.rowCount > 0 ? 'duplicate' : 'orphan';
  }
  if (row.ticket_id !== null) {
    await tx.query(
      `UPDATE tickets SET updated_at = now(),
         preview = CASE WHEN opened_by_message_id = $2::text AND $3::text = 'edited' THEN $4::text ELSE preview END
       WHERE id = $1::text`,
      [row.ticket_id, edit.targetId, edit.kind, previewOf(m.text)],
    );
  }
  return 'applied';
}
