import { describe, expect, it } from 'vitest';
import { ConfigError } from '@switchboard/runtime';
import { Entities } from '@switchboard/schema';
import { DEFAULT_ENTITY_OPTIONS, compileReferences, extractEntities, loadRouterConfig, redactMessage } from '../src/index.ts';
import { parseChineseNumber } from '../src/entities/numerals.ts';

// Monday 7 December 2026, 10:30 in Shanghai.
const SENT = new Date('2026-12-07T10:30:00+08:00');
const read = (text: string, subject?: string, options = DEFAULT_ENTITY_OPTIONS) => Entities.parse(extractEntities(text, subject, SENT, options));
const NOTHING = { amounts: [], references: [], times: [], cardLast4: [], counterparties: [] };

describe('amounts', () => {
  it.each([
    ['I was charged 38.50 CNY twice', [{ value: '38.50', currency: 'CNY', text: '38.50 CNY' }]],
    ['paid ¥38.5 for coffee', [{ value: '38.5', currency: 'CNY', text: '¥38.5' }]],
    ['扣了我38块5', [{ value: '38.5', currency: 'CNY', text: '38块5' }]],
    ['多扣了38元5角2分', [{ value: '38.52', currency: 'CNY', text: '38元5角2分' }]],
    ['refund of USD 200 please', [{ value: '200', currency: 'USD', text: 'USD 200' }]],
    ['我转了200美元', [{ value: '200', currency: 'USD', text: '200美元' }]],
    ['HK$ 120 and $12.99', [{ value: '120', currency: 'HKD', text: 'HK$ 120' }, { value: '12.99', currency: 'USD', text: '$12.99' }]],
    ['a charge of RMB 1,200.00', [{ value: '1200.00', currency: 'CNY', text: 'RMB 1,200.00' }]],
    ['付了一百二十元', [{ value: '120', currency: 'CNY', text: '一百二十元' }]],
    ['付款三十八块五毛', [{ value: '38.5', currency: 'CNY', text: '三十八块五毛' }]],
    ['轉帳港幣120元', [{ value: '120', currency: 'HKD', text: '港幣120元' }]],
    ['新台幣500元被扣兩次', [{ value: '500', currency: 'TWD', text: '新台幣500元' }]],
    ['NT$500 and 200 dollars', [{ value: '500', currency: 'TWD', text: 'NT$500' }, { value: '200', currency: 'USD', text: '200 dollars' }]],
    ['全角：１，２００元', [{ value: '1200', currency: 'CNY', text: '１，２００元' }]],
    ['they charged 38.50 again', [{ value: '38.50', text: '38.50' }]],
  ])('%s', (text, amounts) => {
    expect(read(text).amounts).toEqual(amounts);
  });
  it('lists an amount named twice once', () => {
    expect(read('¥38.50 was charged, then ¥38.50 again', 'charged ¥38.50').amounts).toEqual([{ value: '38.50', currency: 'CNY', text: '¥38.50' }]);
  });
  it('never reads across from the subject into the text', () => {
    expect(read(' 38.50 again', 'they charged').amounts).toEqual([]);
    expect(read('38.50 again', 'charged ¥12').amounts).toEqual([{ value: '12', currency: 'CNY', text: '¥12' }]);
  });
  it('reads Chinese numerals', () => {
    expect([parseChineseNumber('一百二十'), parseChineseNumber('两千五'), parseChineseNumber('一百零五'), parseChineseNumber('十五'), parseChineseNumber('三万五'), parseChineseNumber('元')]).toEqual([120, 2500, 105, 15, 35000, undefined]);
  });
});

describe('references', () => {
  it.each([
    ['交易单号：4200001234567890', [{ kind: 'transaction', value: '4200001234567890' }]],
    ['transaction id TX20261206001 failed', [{ kind: 'transaction', value: 'TX20261206001' }]],
    ['TX20261206001 shows twice', [{ kind: 'transaction', value: 'TX20261206001' }]],
    ['where is my order #A12345?', [{ kind: 'order', value: 'A12345' }]],
    ['订单号 2026120512345 还没发货', [{ kind: 'order', value: '2026120512345' }]],
    ['退款单号 TX20241205001 一直没到', [{ kind: 'refund', value: 'TX20241205001' }]],
    ['訂單號 99887766，退款編號RF20241205', [{ kind: 'order', value: '99887766' }, { kind: 'refund', value: 'RF20241205' }]],
    ['流水號：8800112233', [{ kind: 'transaction', value: '8800112233' }]],
  ])('%s', (text, references) => {
    expect(read(text).references).toEqual(references);
  });
  it('takes the patterns the config gives, in order', () => {
    const options = { ...DEFAULT_ENTITY_OPTIONS, references: compileReferences([{ kind: 'order', pattern: String.raw`\b(ORD-\d{6,})\b` }]) };
    expect(read('ORD-123456 and TX20261206001', undefined, options).references).toEqual([{ kind: 'order', value: 'ORD-123456' }]);
  });
});

describe('times, against sentAt in the time zone', () => {
  it.each([
    ['charged yesterday at 3pm', [{ text: 'yesterday at 3pm', date: '2026-12-06', at: '2026-12-06T15:00:00+08:00' }]],
    ['3:15 pm yesterday', [{ text: '3:15 pm yesterday', date: '2026-12-06', at: '2026-12-06T15:15:00+08:00' }]],
    ['it failed this morning', [{ text: 'this morning', date: '2026-12-07' }]],
    ['paid on 5 Dec', [{ text: 'on 5 Dec', date: '2026-12-05' }]],
    ['paid on Dec 5th at 14:00', [{ text: 'on Dec 5th at 14:00', date: '2026-12-05', at: '2026-12-05T14:00:00+08:00' }]],
    ['a charge on 12/05', [{ text: '12/05', date: '2026-12-05' }]],
    ['on 20 Dec', [{ text: 'on 20 Dec', date: '2025-12-20' }]],
    ['at 3 in the afternoon', [{ text: 'at 3 in the afternoon', date: '2026-12-07', at: '2026-12-07T15:00:00+08:00' }]],
    ['2 days ago and last Monday', [{ text: '2 days ago', date: '2026-12-05' }, { text: 'last Monday', date: '2026-11-30' }]],
    ['昨天下午三点付的款', [{ text: '昨天下午三点', date: '2026-12-06', at: '2026-12-06T15:00:00+08:00' }]],
    ['今天上午10点', [{ text: '今天上午10点', date: '2026-12-07', at: '2026-12-07T10:00:00+08:00' }]],
    ['12月5日晚上8点半', [{ text: '12月5日晚上8点半', date: '2026-12-05', at: '2026-12-05T20:30:00+08:00' }]],
    ['前天转的', [{ text: '前天', date: '2026-12-05' }]],
    ['上周三', [{ text: '上周三', date: '2026-12-02' }]],
    ['昨天晚上8點半扣款', [{ text: '昨天晚上8點半', date: '2026-12-06', at: '2026-12-06T20:30:00+08:00' }]],
    ['2026年12月1日凌晨2點', [{ text: '2026年12月1日凌晨2點', date: '2026-12-01', at: '2026-12-01T02:00:00+08:00' }]],
  ])('%s', (text, times) => {
    expect(read(text).times).toEqual(times);
  });
  it("reads the day in the configured zone: 02:00 UTC is already the next day in Shanghai, not in New York", () => {
    const sentAt = new Date('2026-12-07T02:00:00Z');
    expect(extractEntities('yesterday at 3pm', undefined, sentAt).times).toEqual([{ text: 'yesterday at 3pm', date: '2026-12-06', at: '2026-12-06T15:00:00+08:00' }]);
    const newYork = { ...DEFAULT_ENTITY_OPTIONS, timeZone: 'America/New_York' };
    expect(extractEntities('yesterday at 3pm', undefined, sentAt, newYork).times).toEqual([{ text: 'yesterday at 3pm', date: '2026-12-05', at: '2026-12-05T15:00:00-05:00' }]);
  });
});

describe('cards and counterparties', () => {
  it.each([
    ['paid ¥38 to Lucky Coffee', ['Lucky Coffee']],
    ['I paid Lucky Coffee twice', ['Lucky Coffee']],
    ['transfer to Zhang Wei on Monday', ['Zhang Wei']],
    ['sent 200 USD to Li Na', ['Li Na']],
    ['付给星巴克38元', ['星巴克']],
    ['转账给张三但是他没收到', ['张三']],
    ['轉帳給陳大文，他說沒到', ['陳大文']],
    ['在星巴克消费了两次', ['星巴克']],
  ])('%s', (text, counterparties) => {
    expect(read(text).counterparties).toEqual(counterparties);
  });
  it('reads the last four the mask kept and the ones typed beside a card', () => {
    const masked = redactMessage('card 4111 1111 1111 1111 was charged, and my card ending 4321, 尾号5678的卡', undefined).text;
    expect(read(masked).cardLast4).toEqual(['1111', '4321', '5678']);
  });
});

describe('what is not an entity', () => {
  it.each([
    'call me on 13812345678 or +86 138 1234 5678',
    'my date of birth is 12/05/1990, born 5 May 1990',
    '生日是12月5日，出生日期：1990年5月12日',
    'I am 25 years old, room 1203, waited 2 hours, 共3笔, 2024年',
    '快一点处理好吗',
    '下午再说吧',
    'at 3 we talk',
    'I paid it already and sent it to my mom, 转给我 付给对方',
    'order status please, refund request pending',
    'paid 2 times',
    '尾号5678的手机',
  ])('%s', (text) => {
    expect(read(text)).toEqual(NOTHING);
  });
  it('never reads an id, amount or time out of a masked code or password', () => {
    const masked = redactMessage('order code 839201, transaction password: TX20261206001, 验证码是 123456 元', undefined).text;
    expect(masked).toContain('[code]');
    expect(masked).toContain('[password]');
    expect(read(masked)).toEqual(NOTHING);
  });
});

describe('entity config', () => {
  it('reads the time zone and reference patterns, refusing what cannot work with the variable named', () => {
    const loaded = loadRouterConfig({ SWITCHBOARD_ENTITY_TIME_ZONE: 'Asia/Hong_Kong', SWITCHBOARD_REFERENCE_PATTERNS: '[{"kind":"refund","pattern":"(R-\\\\d+)"}]' });
    expect(loaded.entities.timeZone).toBe('Asia/Hong_Kong');
    expect(read('R-42 and TX20261206001', undefined, loaded.entities).references).toEqual([{ kind: 'refund', value: 'R-42' }]);
    expect(() => loadRouterConfig({ SWITCHBOARD_ENTITY_TIME_ZONE: 'Mars/Olympus' })).toThrow(/SWITCHBOARD_ENTITY_TIME_ZONE: not a time zone/);
    expect(() => loadRouterConfig({ SWITCHBOARD_REFERENCE_PATTERNS: '[{"kind":"order","pattern":"ORD-\\\\d+"}]' })).toThrow(ConfigError);
    expect(() => loadRouterConfig({ SWITCHBOARD_REFERENCE_PATTERNS: '[{"kind":"order","pattern":"ORD-\\\\d+"}]' })).toThrow(/SWITCHBOARD_REFERENCE_PATTERNS\[0\]\.pattern: not a regular expression with a capturing group/);
    expect(loadRouterConfig({}).entities).toEqual(DEFAULT_ENTITY_OPTIONS);
  });
});
