import { describe, expect, it } from 'vitest';
import { foldText, loadTaxonomy } from '@switchboard/classifier';
import type { Correction } from '@switchboard/ticket-store';
import { correctionLines, isHeldOut } from '../src/corrections.ts';

const taxonomy = loadTaxonomy();
let sequence = 0;
function correction(overrides: Partial<Correction>): Correction {
  sequence++;
  return {
    id: `cor_${sequence}`,
    ticketId: `tkt_${sequence}`,
    ticketNumber: `SB-${sequence}`,
    messageId: `msg_${sequence}`,
    field: 'category',
    from: 'transaction',
    to: 'refund',
    text: `where is my refund number ${sequence}`,
    language: 'en',
    channel: 'email',
    correctedAt: new Date(Date.UTC(2026, 11, 1, 0, sequence)).toISOString(),
    excluded: false,
    ...overrides,
  };
}

describe('correctionLines', () => {
  it('takes the latest category of each message, and holds out the texts the hash picks', () => {
    const first = correction({ messageId: 'msg_a', to: 'account', text: 'I want my money back for the broken phone case' });
    const second = { ...correction({ messageId: 'msg_a', to: 'refund' }), text: first.text };
    const lines = correctionLines([first, second], taxonomy, new Set());
    expect([...lines.trained, ...lines.heldOut]).toEqual([{ text: first.text, category: 'refund' }]);
    expect(lines.heldOut.length).toBe(isHeldOut(first.text) ? 1 : 0);
  });

  it('joins subject and text as the router classifies them', () => {
    const lines = correctionLines([correction({ subject: 'Order 42', text: 'refund please' })], taxonomy, new Set());
    expect([...lines.trained, ...lines.heldOut][0]?.text).toBe('Order 42\nrefund please');
  });

  it('drops deleted messages, empty texts, categories the taxonomy lacks and texts of the evaluation sets, saying why', () => {
    const evaluated = 'the exchange rate was terrible';
    const lines = correctionLines(
      [
        correction({ id: 'deleted', messageDeletedAt: new Date().toISOString() }),
        correction({ id: 'empty', text: '  ' }),
        correction({ id: 'unknown', to: 'red_packet' }),
        correction({ id: 'evaluated', text: 'The exchange rate was TERRIBLE ' }),
      ],
      taxonomy,
      new Set([foldText(evaluated)]),
    );
    expect(lines.trained.length + lines.heldOut.length).toBe(0);
    expect(lines.dropped).toEqual([
      { id: 'deleted', reason: 'the customer deleted the message' },
      { id: 'empty', reason: 'the message has no text' },
      { id: 'unknown', reason: 'category red_packet is not in the taxonomy' },
      { id: 'evaluated', reason: 'the same text is in an evaluation set' },
    ]);
  });

  it('keeps one label per text when two messages with the same text were corrected: the later one', () => {
    const lines = correctionLines([correction({ id: 'early', text: 'same words', to: 'account' }), correction({ id: 'late', text: 'same words', to: 'contact' })], taxonomy, new Set());
    expect([...lines.trained, ...lines.heldOut]).toEqual([{ text: 'same words', category: 'contact' }]);
    expect(lines.dropped).toEqual([{ id: 'early', reason: 'the same text was corrected again later' }]);
  });

  it('keeps priority corrections apart, to score the decisions’ priorities on', () => {
    const lines = correctionLines([correction({ field: 'priority', from: 'normal', to: 'urgent', text: 'my account was hacked' })], taxonomy, new Set());
    expect(lines.priorities).toEqual([{ text: 'my account was hacked', priority: 'urgent' }]);
    expect(lines.trained.length + lines.heldOut.length).toBe(0);
  });

  it('holds out about a quarter of texts, always the same ones', () => {
    // Digits fold to 0, so the texts differ by letters: a, b, ... ba, bb, ...
    const texts = Array.from({ length: 2_000 }, (_, index) => `message ${index.toString(26).replace(/./g, (d) => String.fromCharCode(97 + parseInt(d, 26)))} about a payment`);
    const share = texts.filter(isHeldOut).length / texts.length;
    expect(share).toBeGreaterThan(0.22);
    expect(share).toBeLessThan(0.28);
    expect(texts.filter(isHeldOut)).toEqual(texts.filter(isHeldOut));
    // Case, width and digits do not change the side a text is on.
    expect(isHeldOut('Refund 123 ＰＬＥＡＳＥ')).toBe(isHeldOut('refund 999 please'));
  });
});
