/**
 * Replies through the fake Graph API on the real broker: each mode on the wire, Meta's refusals as
 * failed deliveries with the reason, a revoked token in health, and receipts as delivery reports.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { RATE_LIMIT } from './fake-graph.ts';
import { APP_SECRET, IGSID, metaConfig, NUMBER, outbound, PAGE, PSID, startHarness, WA_ID, type Harness } from './harness.ts';
import { instagramSeen, messengerDelivery, messengerRead, signedPost, whatsappStatus } from './payloads.ts';

const HOUR = 3_600_000;
let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(() => h?.stop());

/** The customer last wrote `hours` ago, as Meta (the fake) knows it. */
function wrote(hours: number): void {
  const at = Date.now() - hours * HOUR;
  h.fake.customerWrote(PAGE.pageId, PSID, at);
  h.fake.customerWrote(PAGE.igId, IGSID, at);
  h.fake.customerWrote(NUMBER.phoneNumberId, WA_ID, at);
}

const sentBody = (text: string) => h.fake.sent.find((s) => s.body.message?.text === text || s.body.text?.body === text || JSON.stringify(s.body).includes(text));

describe('replies in the mode the reply policy chose', () => {
  it('answers on Messenger with RESPONSE inside 24 h and with the HUMAN_AGENT tag after, on the Page of the conversation', async () => {
    wrote(2);
    await h.publish(outbound('messenger', 'reply_m_response', 'Your transfer arrived this morning.', 'response'));
    expect((await h.reportsOf('reply_m_response', 1))[0]).toMatchObject({ status: 'sent', channel: 'messenger', externalId: expect.stringMatching(/^m_/) });
    expect(sentBody('Your transfer arrived this morning.')).toMatchObject({ path: `/v25.0/${PAGE.pageId}/messages`, token: PAGE.token, body: { recipient: { id: PSID }, messaging_type: 'RESPONSE' } });

    wrote(3 * 24);
    await h.publish(outbound('messenger', 'reply_m_agent', 'Sorry for the wait: the refund is done.', 'human_agent'));
    expect((await h.reportsOf('reply_m_agent', 1))[0]!.status).toBe('sent');
    expect(sentBody('Sorry for the wait: the refund is done.')!.body).toMatchObject({ messaging_type: 'MESSAGE_TAG', tag: 'HUMAN_AGENT' });
  });

  it('answers on Instagram through the linked Page (me/messages)', async () => {
    wrote(1);
    await h.publish(outbound('instagram', 'reply_ig_1', 'Yes, the wallet works in every shop.'));
    expect((await h.reportsOf('reply_ig_1', 1))[0]!.status).toBe('sent');
    expect(sentBody('Yes, the wallet works in every shop.')).toMatchObject({ path: '/v25.0/me/messages', body: { recipient: { id: IGSID }, messaging_type: 'RESPONSE' } });
  });

  it('answers on WhatsApp with text inside 24 h and with the approved template after it', async () => {
    wrote(5);
    await h.publish(outbound('whatsapp', 'reply_wa_text', 'The duplicate top-up was refunded.'));
    expect((await h.reportsOf('reply_wa_text', 1))[0]).toMatchObject({ status: 'sent', externalId: expect.stringMatching(/^wamid\./) });
    expect(sentBody('The duplicate top-up was refunded.')).toMatchObject({ path: `/v25.0/${NUMBER.phoneNumberId}/messages`, token: NUMBER.token, body: { to: WA_ID, type: 'text' } });

    wrote(50);
    await h.publish(outbound('whatsapp', 'reply_wa_template', 'We checked again.\nThe refund left today.', 'template'));
    expect((await h.reportsOf('reply_wa_template', 1))[0]!.status).toBe('sent');
    expect(sentBody('We checked again. / The refund left today.')!.body).toMatchObject({
      type: 'template',
      template: { name: 'support_reply', language: { code: 'en_US' }, components: [{ type: 'body', parameters: [{ type: 'text', text: 'SB-000042' }, { type: 'text', text: 'We checked again. / The refund left today.' }] }] },
    });
  });
});

describe("Meta's refusals, as failed deliveries with the reason", () => {
  it('outside the window: a Messenger reply 8 days on (10/2018278), and WhatsApp text after 24 h (accepted, then 131047 by webhook)', async () => {
    wrote(8 * 24);
    await h.publish(outbound('messenger', 'reply_m_late', 'Are you still there?', 'human_agent'));
    const [late] = await h.reportsOf('reply_m_late', 1);
    expect(late).toMatchObject({ status: 'failed', reason: expect.stringMatching(/^outside the messaging window — \(#10\) This message is sent outside of allowed window.* \(10\/2018278\)$/) });

    wrote(30);
    await h.publish(outbound('whatsapp', 'reply_wa_late', 'One more thing about your top-up.', 'response'));
    const reports = await h.reportsOf('reply_wa_late', 2);
    expect(reports.map((r) => r.status)).toEqual(['sent', 'failed']);
    expect(reports[1]!.reason).toBe('Re-engagement message: Message failed to send because more than 24 hours have passed since the customer last replied to this number. (131047)');
  });

  it('rate limits: retried with backoff, sent when Meta lets it through, failed with the reason when it does not', async () => {
    wrote(1);
    h.fake.failNext(RATE_LIMIT.throughput);
    await h.publish(outbound('whatsapp', 'reply_wa_throttled', 'Thanks for your patience.'));
    expect((await h.reportsOf('reply_wa_throttled', 1))[0]!.status).toBe('sent');

    h.fake.failNext(RATE_LIMIT.app, RATE_LIMIT.app, RATE_LIMIT.app);
    await h.publish(outbound('messenger', 'reply_m_limited', 'We are on it.'));
    const [limited] = await h.reportsOf('reply_m_limited', 1);
    expect(limited).toMatchObject({ status: 'failed', reason: 'rate limited by Meta — (#4) Application request limit reached (4)' });
  }, 30_000);

  it('a WhatsApp reply after 24 h without a configured template is refused with the variable to set', async () => {
    const bare = await startHarness((base) => metaConfig(base, { whatsapp: { accessToken: NUMBER.token, phoneNumberId: NUMBER.phoneNumberId } }));
    try {
      await bare.publish(outbound('whatsapp', 'reply_wa_no_template', 'Hello again.', 'template'));
      expect((await bare.reportsOf('reply_wa_no_template', 1))[0]).toMatchObject({ status: 'failed', reason: expect.stringContaining('WHATSAPP_TEMPLATE_NAME') });
      expect(bare.fake.sent).toHaveLength(0);
    } finally {
      await bare.stop();
    }
  });

  it('a revoked page token: the reply fails, the channel is not ready and says which variable, until the token works again', async () => {
    wrote(1);
    h.fake.revoke(PAGE.token, 460);
    await h.publish(outbound('messenger', 'reply_m_revoked', 'Your card is unblocked.'));
    const [revoked] = await h.reportsOf('reply_m_revoked', 1);
    expect(revoked).toMatchObject({ status: 'failed', reason: expect.stringMatching(/^access token rejected by Meta: the password was changed — .*\(190\/460\)$/) });
    const health = h.connector.health();
    expect(health).toMatchObject({ ready: false, status: expect.stringContaining('META_PAGE_ACCESS_TOKEN') });
    expect(JSON.stringify(health)).not.toContain(PAGE.token);
    expect(revoked!.reason).not.toContain(PAGE.token);

    h.fake.restore(PAGE.token);
    await h.publish(outbound('messenger', 'reply_m_restored', 'Your card is unblocked (again).'));
    expect((await h.reportsOf('reply_m_restored', 1))[0]!.status).toBe('sent');
    expect(h.connector.health().ready).toBe(true);
  });
});

describe('receipts as delivery reports', () => {
  const post = (payload: unknown) => signedPost(h.url, APP_SECRET, payload).then((r) => expect(r.status).toBe(200));

  it("Messenger: delivered by mid, then read by watermark; a repeated receipt reports nothing twice", async () => {
    wrote(1);
    await h.publish(outbound('messenger', 'reply_m_receipts', 'Here is your statement.'));
    const [sent] = await h.reportsOf('reply_m_receipts', 1);
    await post(messengerDelivery(PAGE.pageId, PSID, { mids: [sent!.externalId!], watermark: Date.now() }, Date.now()));
    await post(messengerDelivery(PAGE.pageId, PSID, { mids: [sent!.externalId!], watermark: Date.now() }, Date.now()));
    const readAt = Date.now();
    await post(messengerRead(PAGE.pageId, PSID, readAt, readAt));
    const reports = await h.reportsOf('reply_m_receipts', 3);
    expect(reports.map((r) => r.status)).toEqual(['sent', 'delivered', 'read']);
    expect(reports[2]).toMatchObject({ ticketId: 'tkt_reply_m_receipts', channel: 'messenger', externalId: sent!.externalId, at: new Date(readAt).toISOString() });
    await new Promise((r) => setTimeout(r, 500));
    expect(await h.reportsOf('reply_m_receipts', 3)).toHaveLength(3);
  });

  it('Instagram: seen by mid', async () => {
    wrote(1);
    await h.publish(outbound('instagram', 'reply_ig_seen', 'Thanks, see you soon.'));
    const [sent] = await h.reportsOf('reply_ig_seen', 1);
    await post(instagramSeen(PAGE.igId, IGSID, sent!.externalId!, Date.now()));
    expect((await h.reportsOf('reply_ig_seen', 2)).map((r) => r.status)).toEqual(['sent', 'read']);
  });

  it("WhatsApp: statuses delivered and read; Meta's own sent status adds nothing", async () => {
    wrote(1);
    await h.publish(outbound('whatsapp', 'reply_wa_statuses', 'Your new card is on its way.'));
    const [sent] = await h.reportsOf('reply_wa_statuses', 1);
    const seconds = Math.floor(Date.now() / 1000);
    for (const status of ['sent', 'delivered', 'read'] as const) await post(whatsappStatus(NUMBER.phoneNumberId, WA_ID, sent!.externalId!, status, seconds));
    const reports = await h.reportsOf('reply_wa_statuses', 3);
    expect(reports.map((r) => r.status)).toEqual(['sent', 'delivered', 'read']);
  });
});
