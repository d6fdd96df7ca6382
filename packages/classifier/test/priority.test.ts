import { describe, expect, it } from 'vitest';
import type { Category } from '@switchboard/schema';
import { foldText } from '../src/normalize.ts';
import { decidePriority } from '../src/priority.ts';
import { loadTaxonomy } from '../src/taxonomy.ts';

const taxonomy = loadTaxonomy();
const decide = (category: Category, text: string, topIntent?: string) => decidePriority(taxonomy, category, foldText(text), topIntent);

describe('loadTaxonomy', () => {
  it('matches a rule\'s combined pattern exactly when one of its patterns matches', () => {
    const texts = [
      'someone hacked my account',
      'my card was stolen yesterday',
      'charged twice!!! ridiculous',
      '转了500块对方一直没到账',
      '手機被偷了',
      'what are your opening hours',
      'the transfer has not arrived, fix it asap',
      'i did not make this payment',
      '',
    ].map(foldText);
    for (const rule of [...taxonomy.priority.rules, ...taxonomy.priority.escalations]) {
      for (const text of texts) {
        expect(rule.anyPattern.test(text), `${rule.name}: ${text}`).toBe(rule.patterns.some((pattern) => pattern.test(text)));
      }
    }
  });
});

describe('decidePriority with the committed taxonomy', () => {
  it('makes security incidents urgent, in English and Chinese', () => {
    expect(decide('security', 'Someone hacked my account and changed the email')).toEqual({ priority: 'urgent', firedRules: ['security_incident'] });
    expect(decide('security', "There's a payment I didn't make on my card").priority).toBe('urgent');
    expect(decide('security', '手機被偷了，錢包裡還有錢').priority).toBe('urgent');
    expect(decide('security', '有一笔消费不是我本人操作的').priority).toBe('urgent');
  });

  it('fires on the source intent even when no pattern matches', () => {
    expect(decide('security', 'what is this entry on my statement', 'card_payment_not_recognised')).toEqual({
      priority: 'urgent',
      firedRules: ['security_incident'],
    });
  });

  it('leaves ordinary security questions at normal priority', () => {
    expect(decide('security', 'How do I change my PIN?')).toEqual({ priority: 'normal', firedRules: [] });
  });

  it('makes missing money and double charges high', () => {
    expect(decide('transaction', 'I was charged twice for the same order').priority).toBe('high');
    expect(decide('transaction', 'my transfer still has not arrived').priority).toBe('high');
    expect(decide('transaction', '转了500块对方一直没到账').priority).toBe('high');
    expect(decide('transaction', '同一筆訂單扣了兩次').priority).toBe('high');
  });

  it('raises the priority one level for anger or urgency cues', () => {
    expect(decide('fees_fx', 'why is there a fee on my transfer')).toEqual({ priority: 'normal', firedRules: [] });
    expect(decide('fees_fx', 'why is there a fee on my transfer, fix it ASAP')).toEqual({ priority: 'high', firedRules: ['urgency_cue'] });
    expect(decide('fees_fx', '手续费怎么这么高，我要投诉').priority).toBe('high');
    expect(decide('transaction', 'charged twice!!! ridiculous')).toEqual({
      priority: 'urgent',
      firedRules: ['money_missing', 'urgency_cue', 'anger_cue'],
    });
  });

  it('raises only one level however many cues fire, and never beyond urgent', () => {
    expect(decide('account', '急急急 马上处理 我要投诉').priority).toBe('high');
    expect(decide('security', 'my card was stolen, block it immediately!!!').priority).toBe('urgent');
  });

  it('gives contact messages low priority unless the customer is angry', () => {
    expect(decide('contact', 'What are your opening hours?').priority).toBe('low');
    expect(decide('contact', 'your support is useless, nobody answers').priority).toBe('normal');
  });
});
