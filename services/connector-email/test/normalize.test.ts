import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { InboundMessage, messageId } from '@switchboard/schema';
import { createHash } from 'node:crypto';
import { MAX_TEXT_CHARS, normalizeEmail, UnparseableEmailError, storageRefOf, type NormalizeOptions } from '../src/normalize.ts';
import { stripQuotedText } from '../src/quotes.ts';

const ACCOUNT = 'support@wallet.test';
const fixture = (name: string) => readFileSync(join(import.meta.dirname, 'fixtures', name));
const options: NormalizeOptions = { account: ACCOUNT, ownAddresses: new Set([ACCOUNT]), receivedAt: new Date('2026-03-20T00:00:00Z') };

async function normalized(name: string, extra: Partial<NormalizeOptions> = {}) {
  const result = await normalizeEmail(fixture(name), { ...options, ...extra });
  // Every envelope must pass the topic's schema, exactly as the host validates it.
  return { ...result, message: InboundMessage.parse(result.envelope) };
}

describe('normalizeEmail on real clients’ mail', () => {
  it('Gmail reply: QP UTF-8, quote and "-- " signature cut, thread root from References, ticket named', async () => {
    const { message } = await normalized('gmail-reply.eml');
    expect(message.externalId).toBe('CAFx2ndMail0002+Q@mail.gmail.com');
    expect(message.id).toBe(messageId('email', ACCOUNT, 'CAFx2ndMail0002+Q@mail.gmail.com'));
    expect(message.text).toBe('Hi, the payment to the café still fails with the same error — can you check again?\n\nThanks,\nAlice');
    expect(message.meta.fullText).toContain('Hello Alice, we are looking into it.');
    expect(message.meta.fullText).toContain('Product Manager');
    expect(message.conversationKey).toBe('email:CAFx1stMail0001@mail.gmail.com');
    expect(message.meta.threading).toMatchObject({ reason: 'references-root', root: 'CAFx1stMail0001@mail.gmail.com', ticketRef: 'SB-000123' });
    expect(message.thread?.namedTicket).toBe('SB-000123');
    expect(message.sender).toEqual({ id: 'alice.chen@gmail.com', address: 'alice.chen@gmail.com', name: 'Alice Chen' });
    expect(message.sentAt).toBe('2026-03-03T02:15:22.000Z');
    expect(message.autoSubmitted).toBeUndefined();
  });

  it('Outlook reply: the "From:/Sent:" block under the underline is cut', async () => {
    const { message } = await normalized('outlook-reply.eml');
    expect(message.text).toBe('I still have not received the refund. Please escalate.\n\nBob');
    expect(message.conversationKey).toBe('email:AM9PR01MB1111AAAA2222BBBB@AM9PR01MB1111.eurprd01.prod.outlook.com');
    expect(message.thread?.namedTicket).toBe('SB-000200');
  });

  it('Outlook "-----Original Message-----" is cut; In-Reply-To alone threads', async () => {
    const { message } = await normalized('outlook-original-message.eml');
    expect(message.text).toBe('My account is still locked after the reset.');
    expect(message.meta.threading).toMatchObject({ reason: 'in-reply-to' });
    expect(message.conversationKey).toBe('email:000001da6e2a$11111111$22222222$@contoso.example');
  });

  it('Apple Mail HTML-only: readable text with the link, blockquote dropped', async () => {
    const { message } = await normalized('apple-mail-html-only.eml');
    expect(message.text).toBe('Hello,\n\nI topped up 50 EUR yesterday but my balance did not change. Details are on this page [https://wallet.example/tx/991].\n\nRegards,\nDan');
    expect(message.text).not.toContain('<');
    expect(message.meta.htmlOnly).toBe(true);
    expect(message.meta.threading).toMatchObject({ reason: 'new' });
  });

  it('QQ Mail in GB18030: subject, name and body decoded, "原始邮件" block cut', async () => {
    const { message } = await normalized('qq-gbk.eml');
    expect(message.subject).toBe('回复：转账失败，钱被扣了');
    expect(message.sender.name).toBe('张伟');
    expect(message.text).toBe('你好，我昨天转账500元给朋友，钱已经扣了，但是对方没有收到。请尽快处理。');
    expect(message.meta.fullText).toContain('您好，我们正在核实。');
  });

  it('NetEase 163 in GBK: Chinese Gmail-style attribution cut, threads to the root and names our ticket', async () => {
    const { message } = await normalized('netease-gbk.eml');
    expect(message.subject).toBe('提现一直显示处理中');
    expect(message.sender.name).toBe('王芳');
    expect(message.text).toBe('提现三天了还是显示处理中，请问什么时候到账？');
    expect(message.conversationKey).toBe('email:5a000000.0000.18e00000000.Coremail.wangfang@163.com');
    expect(message.thread?.namedTicket).toBe('SB-000456');
  });

  it('Foxmail in GB2312 quoted-printable: "发件人：/发送时间：" block cut', async () => {
    const { message } = await normalized('foxmail-gb2312.eml');
    expect(message.subject).toBe('Re: 账户被冻结');
    expect(message.sender.name).toBe('李娜');
    expect(message.text).toBe('我的账户还是被冻结，无法登录。\n\n李娜');
  });

  it('Outlook in Big5: Traditional Chinese decoded, "寄件者:" block cut', async () => {
    const { message } = await normalized('outlook-big5.eml');
    expect(message.subject).toBe('退款何時到帳？');
    expect(message.sender.name).toBe('陳小明');
    expect(message.text).toBe('您好，我上週申請的退款還沒有到帳，請幫忙查詢。\n\n謝謝');
  });

  it('ISO-2022-JP subject, name and body', async () => {
    const { message } = await normalized('iso-2022-jp.eml');
    expect(message.subject).toBe('カードが使えません');
    expect(message.sender.name).toBe('山田太郎');
    expect(message.text).toBe('いつもお世話になっております。\nカードで支払いができません。確認をお願いします。');
  });

  it('attachment: metadata with sha256 and a content-addressed storageRef; bytes returned', async () => {
    const { message, files } = await normalized('attachment-pdf.eml');
    expect(message.attachments).toHaveLength(1);
    const [pdf] = message.attachments;
    expect(pdf).toMatchObject({ name: 'invoice-5521.pdf', contentType: 'application/pdf', size: 1540 });
    expect(pdf!.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(pdf!.storageRef).toBe(storageRefOf(pdf!.sha256!));
    expect(files).toHaveLength(1);
    expect(files[0]!.content.subarray(0, 8).toString()).toBe('%PDF-1.4');
    expect(files[0]!.sha256).toBe(pdf!.sha256);
  });

  it('attachment over the cap: metadata kept, bytes not, meta says why', async () => {
    const { message, files } = await normalized('attachment-pdf.eml', { maxAttachmentBytes: 1024 });
    expect(files).toHaveLength(0);
    expect(message.attachments[0]).toMatchObject({ name: 'invoice-5521.pdf', size: 1540 });
    expect(message.attachments[0]!.storageRef).toBeUndefined();
    expect(message.meta.attachmentsNotKept).toEqual([{ name: 'invoice-5521.pdf', size: 1540, reason: 'larger than the 1024 byte attachment limit' }]);
  });

  it('inline image: marked inline with its Content-ID', async () => {
    const { message, files } = await normalized('inline-image.eml');
    expect(message.attachments).toEqual([expect.objectContaining({ name: 'error.png', contentType: 'image/png', inline: true, contentId: 'error-shot@company.example' })]);
    expect(files[0]!.content.subarray(1, 4).toString()).toBe('PNG');
  });

  it('forwarded mail keeps the forwarded content', async () => {
    const { message } = await normalized('forwarded.eml');
    expect(message.text).toContain('Is this email really from you?');
    expect(message.text).toContain('Click here to verify your account.');
    expect(message.autoSubmitted).toBeUndefined();
  });

  it('auto-reply is marked automatic and still threads to its ticket', async () => {
    const { message } = await normalized('auto-reply.eml');
    expect(message.autoSubmitted).toBe('auto-submitted:auto-replied');
    expect(message.thread?.namedTicket).toBe('SB-000321');
    expect(message.conversationKey).toBe('email:henry-first@enterprise.example');
  });

  it('bounce DSN (multipart/report from MAILER-DAEMON) is marked as a bounce', async () => {
    const { message } = await normalized('bounce-dsn.eml');
    expect(message.autoSubmitted).toBe('bounce');
    expect(message.text).toContain('User unknown');
    expect(message.attachments.map((a) => a.contentType)).toContain('message/delivery-status');
  });

  it('malformed mail (no headers, no sender) is refused with a reason', async () => {
    await expect(normalizeEmail(fixture('malformed.eml'), options)).rejects.toThrow(UnparseableEmailError);
    await expect(normalizeEmail(fixture('malformed.eml'), options)).rejects.toThrow(/no sender address/);
  });

  it('a mail without Message-ID gets a synthetic id that is stable for the same bytes', async () => {
    const first = await normalized('no-message-id.eml');
    const second = await normalized('no-message-id.eml');
    expect(first.message.externalId).toMatch(/^synthetic\.[0-9a-f]{40}@switchboard\.invalid$/);
    expect(second.message.id).toBe(first.message.id);
    expect(first.message.meta.syntheticMessageId).toBe(true);
    const other = await normalizeEmail(Buffer.concat([fixture('no-message-id.eml'), Buffer.from('P.S.\r\n')]), options);
    expect(other.envelope.id).not.toBe(first.message.id);
  });

  it('stripped headers: the [#SB-…] subject token threads to the ticket', async () => {
    const { message } = await normalized('subject-token-stripped.eml');
    expect(message.conversationKey).toBe('ticket:SB-000777');
    expect(message.meta.threading).toEqual({ conversationKey: 'ticket:SB-000777', reason: 'subject-token', ticketRef: 'SB-000777' });
  });

  it('oversized mail: read from its first bytes, the whole original kept as original.eml, and the text says so', async () => {
    const raw = fixture('oversized.eml');
    const { message, files } = await normalized('oversized.eml', { maxMessageBytes: 64 * 1024 });
    expect(message.externalId).toBe('oversized-0001@bigfiles.example');
    expect(message.subject).toBe('Scans of my documents');
    // The customer's words, from the first 64 KiB, and the note: nothing cut away silently.
    expect(message.text).toMatch(/^Here are all my scans\.\n\n\[This message is 135049 bytes, more than the 65536-byte limit: .* kept as original\.eml\.\]$/);
    const sha256 = createHash('sha256').update(raw).digest('hex');
    expect(message.attachments).toEqual([{ name: 'original.eml', contentType: 'message/rfc822', size: raw.length, sha256, storageRef: storageRefOf(sha256) }]);
    expect(message.meta.original).toEqual({ reason: 'message-too-large', size: raw.length, limit: 64 * 1024, sha256, storageRef: storageRefOf(sha256) });
    // Handed the whole message, normalize returns it to be stored, byte for byte.
    expect(files).toHaveLength(1);
    expect(files[0]!.content.equals(raw)).toBe(true);
    // The connector streams a large message to the store itself and hands over its first bytes: same envelope, nothing to store.
    const head = raw.subarray(0, 64 * 1024);
    const fromHead = await normalizeEmail(head, { ...options, size: raw.length, maxMessageBytes: 64 * 1024, original: { sha256 } });
    expect(fromHead.envelope.id).toBe(message.id);
    expect(fromHead.envelope.text).toBe(message.text);
    expect(fromHead.envelope.attachments).toEqual(message.attachments);
    expect(fromHead.files).toEqual([]);
  });

  it('text longer than the envelope holds: cut with a note, the whole original kept', async () => {
    const long = 'My statement shows these lines. '.repeat(4_000);
    const raw = Buffer.from(`From: A <a@customer.test>\r\nTo: support@wallet.test\r\nSubject: long\r\nMessage-ID: <long-1@customer.test>\r\n\r\n${long}\r\n`);
    const { envelope, files } = await normalizeEmail(raw, options);
    expect(envelope.text.length).toBeLessThanOrEqual(MAX_TEXT_CHARS);
    expect(envelope.text).toMatch(/\[This message is longer than 100000 characters: the text is cut here\. The whole message is kept as original\.eml\.\]$/);
    expect(envelope.meta).toMatchObject({ textTruncated: true, original: { reason: 'text-too-long', size: raw.length } });
    expect(envelope.attachments?.map((a) => a.name)).toEqual(['original.eml']);
    expect(files.map((f) => f.content.equals(raw))).toEqual([true]);
  });

  it('mail from our own address is automatic', async () => {
    const raw = Buffer.from('From: Wallet Support <Support@Wallet.test>\r\nTo: support@wallet.test\r\nSubject: loop\r\nMessage-ID: <own-1@wallet.test>\r\n\r\nhello\r\n');
    const { envelope } = await normalizeEmail(raw, options);
    expect(envelope.autoSubmitted).toBe('own-address');
  });

  it.each([
    ['Precedence: bulk', 'precedence:bulk'],
    ['List-Id: <news.shop.example>', 'list-id'],
    ['X-Loop: helpdesk@vendor.example', 'x-loop'],
    ['X-Autorespond: yes', 'x-autorespond'],
    ['Auto-Submitted: auto-generated', 'auto-submitted:auto-generated'],
  ])('automatic mail by header %s', async (header, reason) => {
    const raw = Buffer.from(`From: News <news@shop.example>\r\nTo: support@wallet.test\r\nSubject: x\r\nMessage-ID: <a-${reason}@shop.example>\r\n${header}\r\n\r\nhello\r\n`);
    expect((await normalizeEmail(raw, options)).envelope.autoSubmitted).toBe(reason);
  });

  it('Auto-Submitted: no is a person', async () => {
    const raw = Buffer.from('From: A <a@customer.test>\r\nTo: support@wallet.test\r\nSubject: x\r\nMessage-ID: <p-1@customer.test>\r\nAuto-Submitted: no\r\n\r\nhello\r\n');
    expect((await normalizeEmail(raw, options)).envelope.autoSubmitted).toBeUndefined();
  });
});

describe('stripQuotedText', () => {
  it('cuts an attribution wrapped over two lines', () => {
    expect(stripQuotedText('Thanks!\n\nOn Tue, 3 Mar 2026 at 10:00, Wallet Support <support@wallet.test>\nwrote:\n> old')).toBe('Thanks!');
  });
  it('cuts a Chinese Gmail attribution', () => {
    expect(stripQuotedText('好的，谢谢\n\n在 2026年3月3日周二 10:00，钱包客服 <support@wallet.test> 写道：\n> 旧内容')).toBe('好的，谢谢');
  });
  it('cuts "Sent from my iPhone"', () => {
    expect(stripQuotedText('Card still blocked\n\nSent from my iPhone')).toBe('Card still blocked');
  });
  it('keeps an Outlook header block in a forward', () => {
    const text = 'See below\n\nFrom: Bank <bank@example.com>\nSent: Monday\nSubject: Alert\n\nYour card was used.';
    expect(stripQuotedText(text, { forwarded: true })).toBe(text);
    expect(stripQuotedText(text)).toBe('See below');
  });
  it('leaves a mail without quote alone', () => {
    expect(stripQuotedText('From now on I will pay by card.\nThanks')).toBe('From now on I will pay by card.\nThanks');
  });
});
