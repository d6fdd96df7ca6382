import { describe, expect, it } from 'vitest';
import { applyReceipt, pruneNotes, type SentNote } from '../src/receipts.ts';
import type { Receipt } from '../src/index.ts';

const t0 = Date.parse('2026-12-07T10:00:00.000Z');
const note = (n: number, state?: SentNote['state']): SentNote => ({ outboundId: `reply_${n}`, ticketId: 'tkt_1', externalIds: [`m_${n}`], requestedAt: t0 + n * 1000, ...(state ? { state } : {}) });
const receipt = (fields: Partial<Receipt>): Receipt => ({ channel: 'messenger', account: 'page', customer: 'psid', status: 'delivered', at: new Date(t0 + 60_000).toISOString(), ...fields });
const moved = (notes: SentNote[], r: Receipt) => applyReceipt(notes, r).outcomes.map((o) => `${o.note.outboundId}:${o.status}`);

describe('receipts matched to the messages we sent', () => {
  const three = [note(1), note(2), note(3)];

  it.each([
    ['delivered by mid', three, receipt({ ids: ['m_2'] }), ['reply_2:delivered']],
    ["delivered by watermark (Messenger's older clients send no mids)", three, receipt({ watermark: t0 + 2500 }), ['reply_1:delivered', 'reply_2:delivered']],
    ['read by watermark, also what was only delivered', [note(1, 'delivered'), note(2), note(3)], receipt({ status: 'read', watermark: t0 + 2000 }), ['reply_1:read', 'reply_2:read']],
    ['read by mid: the earlier ones were seen too (Instagram)', three, receipt({ status: 'read', ids: ['m_2'] }), ['reply_1:read', 'reply_2:read']],
    ['failed: only the one named (WhatsApp)', three, receipt({ status: 'failed', ids: ['m_3'], reason: 'Message undeliverable (131026)' }), ['reply_3:failed']],
    ['a delivery after read moves nothing back', [note(1, 'read')], receipt({ ids: ['m_1'] }), []],
    ['a repeated watermark reports nothing twice', [note(1, 'delivered')], receipt({ watermark: t0 + 5000 }), []],
    ['a failure after delivery is ignored', [note(1, 'delivered')], receipt({ status: 'failed', ids: ['m_1'] }), []],
    ["WhatsApp's own sent status adds nothing to the host's", three, receipt({ status: 'sent', ids: ['m_1'] }), []],
    ['a receipt of a message we did not send (the Page inbox)', three, receipt({ ids: ['m_other'] }), []],
  ])('%s', (_what, notes, r, expected) => {
    expect(moved(notes, r)).toEqual(expected);
  });

  it('keeps the reason of a failure and the new states', () => {
    const { outcomes, notes } = applyReceipt(three, receipt({ status: 'failed', ids: ['m_1'], reason: 'Re-engagement message (131047)' }));
    expect(outcomes).toEqual([{ note: { ...three[0], state: 'failed' }, status: 'failed', reason: 'Re-engagement message (131047)' }]);
    expect(notes.map((n) => n.state)).toEqual(['failed', undefined, undefined]);
  });

  it('forgets what can get no more receipts: read or failed, older than 8 days, beyond the newest 50', () => {
    const now = t0 + 10_000;
    expect(pruneNotes([note(1, 'read'), note(2, 'failed'), note(3, 'delivered'), note(4)], now).map((n) => n.outboundId)).toEqual(['reply_3', 'reply_4']);
    expect(pruneNotes([{ ...note(1), requestedAt: now - 9 * 24 * 3_600_000 }, note(2)], now).map((n) => n.outboundId)).toEqual(['reply_2']);
    const many = Array.from({ length: 60 }, (_, i) => note(i));
    expect(pruneNotes(many, t0 + 100_000)).toHaveLength(50);
    expect(pruneNotes(many, t0 + 100_000)[0]!.outboundId).toBe('reply_10');
  });
});
