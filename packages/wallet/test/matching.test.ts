/** The pure core: which transactions a ticket is about, double charges, refunds named, who the customer is. */
import { describe, expect, it } from 'vitest';
import type { Entities } from '@switchboard/schema';
import { dayOf, DEFAULT_MATCH_SETTINGS, lookupSince, matchTransactions, namedRefunds, resolveCustomer, toUnits, type LedgerTransaction, type MatchSettings, type SenderOf } from '../src/index.ts';

const entities = (over: Partial<Entities> = {}): Entities => ({ amounts: [], references: [], times: [], cardLast4: [], counterparties: [], ...over });
const tx = (id: string, amount: string, createdAt: string, over: Partial<LedgerTransaction> = {}): LedgerTransaction => ({ id, amount, currency: 'CNY', status: 'succeeded', createdAt, counterparty: 'Lucky Coffee', ...over });

// Written on 7 December at 10:00 in Shanghai (02:00 UTC).
const SENT = '2026-12-07T02:00:00Z';
const yesterday3pm = { text: '昨天下午三点', at: '2026-12-06T07:00:00.000Z', date: '2026-12-06' };
const amount = (value: string, currency?: string) => ({ value, text: `${value} ${currency ?? ''}`.trim(), ...(currency ? { currency } : {}) });

const LEDGER = [
  tx('TX-A', '38.50', '2026-12-06T07:02:00Z'),
  tx('TX-B', '38.90', '2026-12-06T07:10:00Z'),
  tx('TX-C', '38.50', '2026-12-05T07:02:00Z'),
  tx('TX-D', '38.50', '2026-12-06T07:03:00Z', { currency: 'USD' }),
  tx('TX-E', '200.00', '2026-12-07T01:30:00Z', { counterparty: 'Zhang San' }),
  // 23:30 on 6 December in UTC is already 7 December in Shanghai.
  tx('TX-F', '12.00', '2026-12-06T23:30:00Z'),
];

const ids = (settings: MatchSettings, said: Entities, sentAt = SENT) => matchTransactions([{ entities: said, sentAt }], LEDGER, settings).matches.map((m) => `${m.transaction.id}:${m.why.join('+')}`);

describe('matchTransactions', () => {
  const S = DEFAULT_MATCH_SETTINGS;
  it.each([
    ['an amount and a currency on the day named', S, entities({ amounts: [amount('38.5', 'CNY')], times: [yesterday3pm] }), ['TX-A:amount+day']],
    ['38.90 is past the default 1% (38.50 ± 0.385)', S, entities({ amounts: [amount('38.50', 'CNY')], times: [yesterday3pm] }), ['TX-A:amount+day']],
    ['2% takes the fee-laden 38.90', { ...S, feeTolerance: { percent: '2' } }, entities({ amounts: [amount('38.50', 'CNY')], times: [yesterday3pm] }), ['TX-A:amount+day', 'TX-B:amount+day']],
    ['an absolute tolerance of 0.40', { ...S, feeTolerance: { absolute: '0.40' } }, entities({ amounts: [amount('38.50', 'CNY')], times: [yesterday3pm] }), ['TX-A:amount+day', 'TX-B:amount+day']],
    ['no currency written: any currency', S, entities({ amounts: [amount('38.50')], times: [yesterday3pm] }), ['TX-A:amount+day', 'TX-D:amount+day']],
    ['a day not meant (5 December) does not match', S, entities({ amounts: [amount('38.50', 'CNY')], times: [yesterday3pm] }), ['TX-A:amount+day']],
    ['no day named: the day of the message, in Shanghai', S, entities({ amounts: [amount('12', 'CNY')] }), ['TX-F:amount+day']],
    ['the same in UTC puts that payment on the day before', { ...S, timeZone: 'UTC' }, entities({ amounts: [amount('12', 'CNY')] }), []],
    ['an id the customer named, whatever the amount or day', S, entities({ references: [{ kind: 'transaction', value: 'tx-c' }] }), ['TX-C:named']],
    ['named and matching by amount', S, entities({ amounts: [amount('200', 'CNY')], references: [{ kind: 'order', value: 'TX-E' }] }), ['TX-E:named+amount+day']],
    ['a refund id is not a transaction id', S, entities({ references: [{ kind: 'refund', value: 'TX-C' }] }), []],
    ['nothing said, nothing matched', S, entities(), []],
  ] as const)('%s', (_, settings, said, expected) => {
    expect(ids(settings, said)).toEqual(expected);
  });

  it('hints at a double charge: two of one amount to one counterparty within the window', () => {
    const ledger = [tx('T1', '99.00', '2026-12-06T07:00:00Z'), tx('T2', '99.00', '2026-12-06T07:04:00Z'), tx('T3', '99.00', '2026-12-06T09:00:00Z')];
    const said = [{ entities: entities({ amounts: [amount('99', 'CNY')], times: [yesterday3pm] }), sentAt: SENT }];
    expect(matchTransactions(said, ledger).duplicate).toEqual({ transactionIds: ['T1', 'T2'], amount: '99.00', currency: 'CNY', counterparty: 'Lucky Coffee', minutesApart: 4 });
    expect(matchTransactions(said, ledger, { ...DEFAULT_MATCH_SETTINGS, duplicateWindowMinutes: 3 }).duplicate).toBeUndefined();
  });

  it.each([
    ['different counterparties', [tx('T1', '99.00', '2026-12-06T07:00:00Z'), tx('T2', '99.00', '2026-12-06T07:04:00Z', { counterparty: 'Other Shop' })]],
    ['a failed attempt and the charge', [tx('T1', '99.00', '2026-12-06T07:00:00Z', { status: 'failed' }), tx('T2', '99.00', '2026-12-06T07:04:00Z')]],
    ['different amounts (both within the tolerance)', [tx('T1', '99.00', '2026-12-06T07:00:00Z'), tx('T2', '99.50', '2026-12-06T07:04:00Z')]],
    ['only one of them matches what was said', [tx('T1', '99.00', '2026-12-06T07:00:00Z'), tx('T2', '99.00', '2026-12-04T07:04:00Z')]],
  ])('no double charge for %s', (_, ledger) => {
    const said = [{ entities: entities({ amounts: [amount('99', 'CNY')], times: [yesterday3pm] }), sentAt: SENT }];
    expect(matchTransactions(said, ledger, { ...DEFAULT_MATCH_SETTINGS, feeTolerance: { percent: '1' } }).matches.length).toBeGreaterThan(0);
    expect(matchTransactions(said, ledger, { ...DEFAULT_MATCH_SETTINGS, feeTolerance: { percent: '1' } }).duplicate).toBeUndefined();
  });
});

describe('the small parts', () => {
  it.each([
    ['38.5', 385000n],
    ['38.50', 385000n],
    ['-12', 120000n],
    ['999999999999999.9999', 9999999999999999999n],
  ])('toUnits(%s)', (text, units) => expect(toUnits(text)).toBe(units));

  it('reads days in the zone, asks the ledger from a day before the earliest one meant, lists refunds once', () => {
    expect(dayOf('2026-12-06T23:30:00Z', 'Asia/Shanghai')).toBe('2026-12-07');
    expect(dayOf('2026-12-06T23:30:00Z', 'UTC')).toBe('2026-12-06');
    const said = [
      { entities: entities({ times: [yesterday3pm], references: [{ kind: 'refund', value: 'RF1' }] }), sentAt: SENT },
      { entities: entities({ references: [{ kind: 'refund', value: 'RF1' }, { kind: 'refund', value: 'RF2' }, { kind: 'transaction', value: 'TX' }] }), sentAt: SENT },
    ];
    expect(lookupSince(said, 'Asia/Shanghai').toISOString()).toBe('2026-12-04T12:00:00.000Z');
    expect(namedRefunds(said)).toEqual(['RF1', 'RF2']);
  });
});

describe('resolveCustomer', () => {
  const msg = (sender: SenderOf['sender'], channel = 'webchat', direction: SenderOf['direction'] = 'inbound'): SenderOf => ({ channel, direction, sender });
  const mapping = new Map([['wechat:oa:wx1:openid-9', 'cus_mapped']]);
  it.each([
    ['a verified reference on the message', [msg({ id: 's-1', customerRef: 'cus_1' })], { customerRef: 'cus_1', via: 'verified-sender' }],
    ['the newest verified reference', [msg({ id: 's-1', customerRef: 'cus_old' }), msg({ id: 's-1', customerRef: 'cus_new' })], { customerRef: 'cus_new', via: 'verified-sender' }],
    ['a configured mapping of the channel id', [msg({ id: 'oa:wx1:openid-9' }, 'wechat')], { customerRef: 'cus_mapped', via: 'mapping' }],
    ['the same id on another channel is not mapped', [msg({ id: 'oa:wx1:openid-9' }, 'email')], { none: 'unverified' }],
    ['an unverified sender', [msg({ id: 'ann@example.com' }, 'email')], { none: 'unverified' }],
    ['a suspect sender, even with a reference', [msg({ id: 's-1', customerRef: 'cus_1', suspect: { reason: 'forged From' } })], { none: 'suspect' }],
    ['a suspect message anywhere in the thread', [msg({ id: 'oa:wx1:openid-9', suspect: { reason: 'spoofed' } }, 'wechat'), msg({ id: 'oa:wx1:openid-9' }, 'wechat')], { none: 'suspect' }],
    ['no customer message', [msg({ id: 'support' }, 'email', 'outbound')], { none: 'no-customer-message' }],
  ] as const)('%s', (_, messages, expected) => {
    expect(resolveCustomer(messages, mapping)).toMatchObject(expected);
  });

  it('says why in words', () => {
    expect(resolveCustomer([msg({ id: 'x', suspect: { reason: 'forged From' } })])).toMatchObject({ reason: 'the sender is suspect (forged From): no wallet lookup' });
    expect(resolveCustomer([msg({ id: 'x' }, 'email')])).toMatchObject({ reason: 'the email sender is not verified and no configured mapping names them: no wallet lookup' });
  });
});
