/**
 * The classes of mail issue 21 found wrong, on mail written here (test/fixtures/real-world.ts), and
 * the pure pieces that handle them: the From reader, the header charset, the spam verdict, the DSN.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import iconv from 'iconv-lite';
import { describe, expect, it } from 'vitest';
import { DeliveryReport, InboundMessage } from '@switchboard/schema';
import { normalizeEmail, UnparseableEmailError, type NormalizeOptions } from '../src/normalize.ts';
import { addressProblem, firstMailbox } from '../src/sender.ts';
import { decodeWords, headerCharsetOf, plausibility, undeclaredBytes } from '../src/header-charset.ts';
import { spamVerdict } from '../src/spam.ts';

const ACCOUNT = 'support@wallet.test';
const options: NormalizeOptions = { account: ACCOUNT, ownAddresses: new Set([ACCOUNT]), receivedAt: new Date('2025-02-10T00:00:00Z'), ownMessageIdDomains: new Set(['wallet.test']) };
const fixture = (name: string) => readFileSync(join(import.meta.dirname, 'fixtures', name));

async function normalized(name: string | Buffer, extra: Partial<NormalizeOptions> = {}) {
  const result = await normalizeEmail(typeof name === 'string' ? fixture(name) : name, { ...options, ...extra });
  return { ...result, message: InboundMessage.parse(result.envelope) };
}

describe('1. a sender spoofed through an encoded-word in the address', () => {
  it('is kept as written, marked suspect and unusable for a reply, never taken for the domain it shows', async () => {
    const { message } = await normalized('spoofed-encoded-address.eml');
    expect(message.sender.id).toBe('=?utf-8?b?c3vwcg9yda==?=@bank.example');
    expect(message.sender.address).toBe('=?utf-8?B?c3VwcG9ydA==?=@bank.example');
    expect(message.sender.id).not.toBe('support@bank.example');
    expect(message.sender.suspect).toMatchObject({ code: 'encoded-word-in-address', reason: expect.stringContaining('"support@bank.example"') });
    expect(message.sender.suspect!.reason).toContain('RFC 2047 §5');
    expect(message.sender.unusableAddress?.code).toBe('encoded-word-in-address');
    expect(message.autoSubmitted).toBeUndefined();
  });

  it('also inside angle brackets, after a display name', async () => {
    const raw = Buffer.from('From: "Bank Support" <=?utf-8?Q?support?=@bank.example>\r\nTo: support@wallet.test\r\nSubject: x\r\nMessage-ID: <q-1@x.example>\r\n\r\nhi\r\n');
    const { message } = await normalized(raw);
    expect(message.sender).toMatchObject({ address: '=?utf-8?Q?support?=@bank.example', name: 'Bank Support', suspect: { code: 'encoded-word-in-address' } });
  });

  it('an encoded-word in the display name is ordinary', async () => {
    const raw = Buffer.from('From: =?utf-8?B?5byg5Lyf?= <zhang.wei@mail.cn.example>\r\nTo: support@wallet.test\r\nSubject: x\r\nMessage-ID: <n-1@x.example>\r\n\r\nhi\r\n');
    const { message } = await normalized(raw);
    expect(message.sender).toEqual({ id: 'zhang.wei@mail.cn.example', address: 'zhang.wei@mail.cn.example', name: '张伟' });
  });
});

describe('2 and 3. bounces', () => {
  it('a bounce with an empty From is a bounce, not a dead letter', async () => {
    const { message } = await normalized('bounce-empty-from.eml');
    expect(message.autoSubmitted).toBe('bounce');
    expect(message.sender).toMatchObject({ id: 'mailer-daemon', name: 'Mail Delivery System', unusableAddress: { code: 'no-address' } });
    expect(message.text).toContain('could not be delivered');
  });

  it('joins the conversation of our reply that bounced and reports that reply failed, with the status and diagnostic', async () => {
    const { message, deliveryReports } = await normalized('bounce-empty-from.eml');
    // The reply's References start with the customer's root: the bounce lands where the customer's answer would.
    expect(message.conversationKey).toBe('email:CAK-anna-0001@mail.customer.test');
    expect(message.thread).toEqual({ ancestors: ['CAK-anna-0001@mail.customer.test', 'CAK-anna-0002@mail.customer.test', 'sb.SB-000512.0a1b2c3d4e5f60718293@wallet.test'], namedTicket: 'SB-000512' });
    expect(message.meta.threading).toMatchObject({ reason: 'bounced-message', ticketRef: 'SB-000512' });
    expect(message.meta.deliveryStatus).toMatchObject({
      reportingMta: 'mx.wallet.test',
      recipients: [{ recipient: 'anna.k@customer.test', action: 'failed', status: '5.1.1', diagnostic: 'smtp; 550 5.1.1 <anna.k@customer.test>: Recipient address rejected: User unknown in virtual mailbox table' }],
      bouncedReply: 'sb.SB-000512.0a1b2c3d4e5f60718293@wallet.test',
    });
    expect(deliveryReports.map((r) => DeliveryReport.parse(r))).toEqual([
      {
        schemaVersion: 1,
        channel: 'email',
        status: 'failed',
        externalId: 'sb.SB-000512.0a1b2c3d4e5f60718293@wallet.test',
        reason: '5.1.1 smtp; 550 5.1.1 <anna.k@customer.test>: Recipient address rejected: User unknown in virtual mailbox table (anna.k@customer.test)',
        at: '2025-02-05T10:01:02.000Z',
      },
    ]);
  });

  it('a delay is not a failure; a bounce of mail from another domain is not ours', async () => {
    const delayed = await normalized('bounce-delayed.eml');
    expect(delayed.message.conversationKey).toBe('email:bo-question-1@slow.test');
    expect(delayed.deliveryReports).toEqual([]);
    const elsewhere = await normalized('bounce-empty-from.eml', { ownMessageIdDomains: new Set(['other.example']) });
    expect(elsewhere.deliveryReports).toEqual([]);
    expect(elsewhere.message.conversationKey).toBe('email:dsn-20250205100102-77@mx.wallet.test');
  });

  it('mail without a From that is no bounce still goes to the dead letters', async () => {
    const raw = Buffer.from('From: "" (Someone)\r\nTo: support@wallet.test\r\nSubject: x\r\nMessage-ID: <nf-1@x.example>\r\n\r\nhi\r\n');
    await expect(normalizeEmail(raw, options)).rejects.toThrow(UnparseableEmailError);
  });
});

describe('4. raw 8-bit header bytes', () => {
  it('Shift_JIS subject and display name, with the body charset as the hint', async () => {
    const { message } = await normalized('shift-jis-raw-headers.eml');
    expect(message.subject).toBe('【至急】カードが使えません');
    expect(message.sender).toEqual({ id: 'taro.yamada@mail.jp.example', address: 'taro.yamada@mail.jp.example', name: '山田太郎' });
    expect(message.text).toBe('昨日からカードで支払いができません。\n確認をお願いします。');
    expect(message.meta.headerCharset).toEqual({ charset: 'shift_jis', source: 'body-charset' });
  });

  it('GBK headers in a mail whose body says UTF-8: detected', async () => {
    const { message } = await normalized('gbk-raw-subject-utf8-body.eml');
    expect(message.subject).toBe('提现一直显示处理中，请尽快处理');
    expect(message.sender.name).toBe('王芳');
    expect(message.meta.headerCharset).toEqual({ charset: 'gb18030', source: 'detected' });
  });

  it('Shift_JIS headers in a mail labelled ISO-2022-JP (7-bit): read as its 8-bit family', async () => {
    const { message } = await normalized('mislabelled-iso-2022-jp.eml');
    expect(message.subject).toBe('返金について');
    expect(message.sender.name).toBe('佐藤花子');
    expect(message.meta.headerCharset).toEqual({ charset: 'shift_jis', source: 'body-charset' });
  });

  it('encoded-words labelled ISO-2022-JP over Shift_JIS bytes', async () => {
    const { message } = await normalized('encoded-word-mislabelled.eml');
    expect(message.subject).toBe('二重請求されました');
    expect(message.sender.name).toBe('鈴木一郎');
    expect(message.meta.headerCharset).toMatchObject({ charset: 'shift_jis', source: 'detected' });
  });

  it('headers mailparser already reads are left to it', async () => {
    const { message } = await normalized('iso-2022-jp.eml');
    expect(message.subject).toBe('カードが使えません');
    expect(message.meta.headerCharset).toBeUndefined();
  });

  it.each([
    ['GBK', 'gbk', '转账失败，钱被扣了', 'gb18030'],
    ['Shift_JIS', 'shift_jis', 'カードが使えません', 'shift_jis'],
    ['EUC-KR with its hint', 'euc-kr', '카드 결제가 안 됩니다', 'euc-kr'],
  ])('detects a short %s subject', (_, encoding, text, expected) => {
    const raw = iconv.encode(text, encoding);
    const hint = encoding === 'euc-kr' ? 'EUC-KR' : undefined;
    expect(headerCharsetOf(undeclaredBytes(raw), hint)?.charset).toBe(expected);
  });

  it('scores what a wrong decoding produces below what people write', () => {
    expect(plausibility('カードが使えません')).toBeGreaterThan(plausibility('ｶｰﾄﾞが'));
    expect(plausibility('\u0083J\u0081[')).toBeLessThan(0);
    expect(decodeWords('=?utf-8?Q?caf=C3=A9?= =?utf-8?B?IOKCrA==?=', undefined)).toBe('café €');
  });
});

describe('5. an address whose local part has spaces', () => {
  it('is kept as written and marked unusable for a reply, never shortened to another address', async () => {
    const { message } = await normalized('spaces-in-local-part.eml');
    expect(message.sender).toMatchObject({ id: 'help desk team@shop.example', address: 'help desk team@shop.example', name: 'Help Desk' });
    expect(message.sender.unusableAddress).toMatchObject({ code: 'unparseable-address', reason: expect.stringContaining('local part has spaces') });
    expect(message.sender.suspect).toBeUndefined();
    expect(JSON.stringify(message)).not.toContain('"team@shop.example"');
  });

  it.each([
    ['Ann <ann@customer.test>', { displayName: 'Ann', addrSpec: 'ann@customer.test' }, undefined],
    ['"Lee, Ann" <ann.lee@customer.test>', { displayName: 'Lee, Ann', addrSpec: 'ann.lee@customer.test' }, undefined],
    ['Help Desk <"help desk team"@shop.example>', { displayName: 'Help Desk', addrSpec: '"help desk team"@shop.example' }, undefined],
    ['bob@customer.test (Bob Smith)', { comment: 'Bob Smith', addrSpec: 'bob@customer.test' }, undefined],
    ['<help desk team@shop.example>', { addrSpec: 'help desk team@shop.example' }, 'unparseable-address'],
    ['help desk team@shop.example', { addrSpec: 'help desk team@shop.example' }, 'unparseable-address'],
    ['=?utf-8?B?c3VwcG9ydA==?=@bank.example', { addrSpec: '=?utf-8?B?c3VwcG9ydA==?=@bank.example' }, 'encoded-word-in-address'],
    ['support@=?utf-8?Q?bank?=.example', { addrSpec: 'support@=?utf-8?Q?bank?=.example' }, 'encoded-word-in-address'],
    ['王芳 <王芳@例子.中国>', { displayName: '王芳', addrSpec: '王芳@例子.中国' }, undefined],
    ['"" (Mail Delivery System)', { comment: 'Mail Delivery System' }, undefined],
  ])('reads %s', (value, mailbox, problem) => {
    const read = firstMailbox(value);
    expect(read).toEqual(mailbox);
    if (read.addrSpec) expect(addressProblem(read.addrSpec)).toBe(problem);
  });
});

describe('6. spam-flagged mail', () => {
  it('carries the filter verdict, with the score and without the list of tests', async () => {
    const { message } = await normalized('spam-flagged.eml');
    expect(message.spam).toEqual({ reason: 'X-Spam-Flag: YES; X-Spam-Status: Yes, score=12.4 required=5.0', score: 12.4 });
    expect(message.autoSubmitted).toBeUndefined();
  });

  it.each([
    [{ 'x-spam-flag': ['YES'] }, { reason: 'X-Spam-Flag: YES' }],
    [{ 'x-spam-status': ['Yes, score=6.1 required=5.0 tests=A,B'] }, { reason: 'X-Spam-Status: Yes, score=6.1 required=5.0', score: 6.1 }],
    [{ 'x-spam': ['Yes'], 'x-spam-score': ['9.5'] }, { reason: 'X-Spam: Yes', score: 9.5 }],
    [{ 'x-spam-flag': ['NO'], 'x-spam-status': ['No, score=1.2 required=5.0'] }, undefined],
    [{}, undefined],
  ])('verdict of %j', (headers, verdict) => {
    expect(spamVerdict(new Map(Object.entries(headers)))).toEqual(verdict);
  });
});

describe('7. attribution lines in other languages, in a whole mail', () => {
  it('a German reply (ISO-8859-1, quoted-printable) is cut at "Am … schrieb Kundenservice Team:"', async () => {
    const { message } = await normalized('german-reply.eml');
    expect(message.text).toBe('Danke, die Karte funktioniert wieder. Eine Frage noch: warum wurde mir eine Gebühr berechnet?');
    expect(message.thread?.namedTicket).toBe('SB-000640');
  });
});
