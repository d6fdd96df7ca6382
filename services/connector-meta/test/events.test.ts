import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { InboundMessage, messageId } from '@switchboard/schema';
import { readWebhook, type Receipt, type WebhookItem } from '../src/index.ts';
import { fixture } from './payloads.ts';

const receivedAt = new Date('2026-12-07T10:00:00.000Z');
const read = (name: string) => readWebhook(fixture(name), receivedAt);
const messages = (items: WebhookItem[]) => items.flatMap((i) => (i.kind === 'message' ? [InboundMessage.parse(i.message)] : []));
const receipts = (items: WebhookItem[]) => items.flatMap((i): Receipt[] => (i.kind === 'receipt' ? [i.receipt] : []));
const skipped = (items: WebhookItem[]) => items.flatMap((i) => (i.kind === 'skipped' ? [i.reason] : []));

describe('Messenger webhooks (several entries, messaging and standby)', () => {
  const items = read('messenger-batch.json');
  const all = messages(items);

  it('reads every entry and event: messages of live and standby threads, echoes left out', () => {
    expect(all.map((m) => m.externalId)).toEqual([
      'm_AG5Hz2Uq7tuwNEhXfYYKj8mJEM_QPpz5jdCK48PnKAjSdjfipqxqMvK8ma6AC8fplwlqLP_5cgXIbu7I3rBN0P',
      'm_Qw8f3JZlJd2nYbXrS3bO1q4ns7mdNlW2ZK5pXv1bB9c7dGkXo0vWQhN8Zl3oIuTq4uJm2s9Jb5n6RtV1cF2eA',
      'm_sticker_7788_1',
      'm_location_7788_1',
      'm_postback_7788_1',
      // Meta's duplicate of the first message: the same mid, so the same id.
      'm_AG5Hz2Uq7tuwNEhXfYYKj8mJEM_QPpz5jdCK48PnKAjSdjfipqxqMvK8ma6AC8fplwlqLP_5cgXIbu7I3rBN0P',
      'm_standby_5566_1',
    ]);
    expect(all[0]!.id).toBe(all[5]!.id);
    expect(all.every((m) => m.channel === 'messenger' && m.account === '104582371938211')).toBe(true);
    expect(skipped(items).filter((r) => r.startsWith('echo'))).toHaveLength(2);
    expect(all.find((m) => m.externalId === 'm_standby_5566_1')!.meta).toMatchObject({ standby: true });
  });

  it('keys each conversation by person and page, with text, quick-reply payload, reply and sent time', () => {
    const [first, second] = all;
    expect(first).toMatchObject({
      id: messageId('messenger', '104582371938211', first!.externalId),
      conversationKey: 'messenger:104582371938211:6543210987654321',
      sender: { id: '6543210987654321' },
      text: 'My transfer to Lisbon has been pending for three days',
      sentAt: '2025-12-07T09:33:20.000Z',
      receivedAt: receivedAt.toISOString(),
      meta: { source: 'messenger', quickReply: 'TOPIC_TRANSFER' },
    });
    expect(second!.thread).toEqual({ ancestors: ['m_ours_question_about_the_transfer'] });
    expect(second!.attachments).toEqual([
      { name: 'receipt_3821.png', contentType: 'image/*', size: 0, url: expect.stringContaining('receipt_3821.png') },
      { name: 'audioclip-1765100003-2291.mp4', contentType: 'audio/*', size: 0, url: expect.stringContaining('audioclip') },
      { name: 'statement_november.pdf', contentType: 'application/octet-stream', size: 0, url: expect.stringContaining('statement_november.pdf') },
    ]);
  });

  it('reads stickers, locations and button taps; keeps a bare referral apart for the next message', () => {
    const sticker = all.find((m) => m.externalId === 'm_sticker_7788_1')!;
    expect(sticker.attachments).toEqual([expect.objectContaining({ name: 'sticker-369239263222822', contentType: 'image/*' })]);
    expect(sticker.meta.attachments).toEqual([{ type: 'sticker', stickerId: '369239263222822' }]);
    const location = all.find((m) => m.externalId === 'm_location_7788_1')!;
    expect(location.text).toBe("Location: Ann's location 38.7223, -9.1393");
    expect(location.meta.attachments).toEqual([{ type: 'location', lat: 38.7223, long: -9.1393, title: "Ann's location" }]);
    const postback = all.find((m) => m.externalId === 'm_postback_7788_1')!;
    expect(postback).toMatchObject({ text: 'Talk to a person', meta: { postback: { payload: 'HUMAN_AGENT_PLEASE' } } });
    const referral = items.find((i) => i.kind === 'referral');
    expect(referral).toMatchObject({ note: { channel: 'messenger', customer: '7788990011223344', referral: { source: 'ADS', ad_id: '6045246247433' } } });
  });

  it('turns delivery and read events into receipts, by mid and by watermark', () => {
    expect(receipts(items)).toEqual([
      { channel: 'messenger', account: '104582371938211', customer: '6543210987654321', status: 'delivered', ids: ['m_our_first_reply'], watermark: 1765100008000, at: '2025-12-07T09:33:29.000Z' },
      { channel: 'messenger', account: '104582371938211', customer: '7788990011223344', status: 'read', watermark: 1765100029000, at: '2025-12-07T09:33:50.000Z' },
    ]);
  });
});

describe('Instagram webhooks', () => {
  const items = read('instagram-batch.json');
  const all = messages(items);

  it('reads messages and story mentions per Instagram-scoped id, leaves echoes out, and takes back an unsent message', () => {
    expect(all.map((m) => [m.conversationKey, m.text || m.edit?.kind])).toEqual([
      ['instagram:17841405793187218:912345678901234', 'Hi! Can I pay with the wallet in your shop?'],
      ['instagram:17841405793187218:912345678901234', expect.stringMatching(/^\[story mention\] https:\/\/lookaside\.fbsbx\.com/)],
      ['instagram:17841405793187218:912345678901234', 'deleted'],
    ]);
    expect(all[2]!.edit).toEqual({ kind: 'deleted', targetId: all[1]!.id });
    expect(skipped(items)).toEqual(['echo of a message our page sent']);
  });

  it('turns messaging_seen into a read receipt of the message it names', () => {
    expect(receipts(items)).toEqual([
      { channel: 'instagram', account: '17841405793187218', customer: '912345678901234', status: 'read', ids: ['aWdfZAG1faXRlbToxOklHTWVzc2FnZAUlEOjE3ODQxNDA1NzkzMTg3MjE4OjM0ours1'], at: '2025-12-08T13:20:03.000Z' },
    ]);
  });
});

describe('WhatsApp webhooks (several entries and changes, messages and statuses)', () => {
  const items = read('whatsapp-batch.json');
  const all = messages(items);

  it("reads every message type, with the contact's profile name and number in E.164", () => {
    expect(all.map((m) => [m.sender.name, m.meta.messageType, m.text])).toEqual([
      ['Sheena Nelson', 'text', 'I was charged twice for my top-up'],
      ['Sheena Nelson', 'image', 'here is the receipt'],
      ['Sheena Nelson', 'text', 'I was charged twice for my top-up'],
      ['Sheena Nelson', 'text', 'Hi, I saw your ad about zero fees'],
      ['Kwame Mensah', 'location', 'Location: Main office 1 Hacker Way, Menlo Park, CA 94025 (37.483307, -122.148981)'],
      ['Kwame Mensah', 'contacts', 'Contact: Ama Owusu, +233 24 765 4321'],
      ['Kwame Mensah', 'interactive', 'Yes, refund me'],
      ['Kwame Mensah', 'audio', ''],
    ]);
    expect(all[0]).toMatchObject({
      channel: 'whatsapp',
      account: '106540352242922',
      conversationKey: 'whatsapp:106540352242922:16505551234',
      sender: { id: '16505551234', name: 'Sheena Nelson', phone: '+16505551234', address: '+16505551234' },
      sentAt: '2025-12-09T17:06:40.000Z',
    });
    // The same wamid delivered twice is one message.
    expect(all[0]!.id).toBe(all[2]!.id);
    expect(skipped(items)).toEqual(['a reaction to a message, not a message']);
  });

  it('keeps media as metadata with their hash, button payloads, replies and the ad a customer came from', () => {
    // The fixture's hash is base64, as Meta has sent it; the envelope keeps hex.
    const hash = createHash('sha256').update('receipt').digest('hex');
    expect(all[1]!.attachments).toEqual([{ name: 'image-1003383421387256', contentType: 'image/jpeg', size: 0, storageRef: 'whatsapp-media:1003383421387256', sha256: hash }]);
    expect(all[7]!.attachments[0]).toMatchObject({ contentType: 'audio/ogg; codecs=opus', sha256: '6ad2f7d0b2c54a9e0d3bf6e51a94f4b1c2e7b9a0f5d3c1e8a6b4d2f0e9c7a5b3' });
    expect(all[7]!.meta.voice).toBe(true);
    expect(all[6]).toMatchObject({ meta: { quickReply: 'refund-yes' }, thread: { ancestors: ['wamid.ours_question'] } });
    expect(all[3]!.meta.referral).toMatchObject({ source_type: 'ad', source_id: '120226305854810726', headline: 'Zero fees in December', ctwa_clid: expect.any(String) });
  });

  it('turns statuses into receipts, a failure with its reason', () => {
    expect(receipts(items)).toEqual([
      { channel: 'whatsapp', account: '106540352242922', customer: '16505551234', status: 'delivered', ids: ['wamid.ours_1'], at: '2025-12-09T17:08:20.000Z' },
      { channel: 'whatsapp', account: '106540352242922', customer: '16505551234', status: 'read', ids: ['wamid.ours_1'], at: '2025-12-09T17:09:20.000Z' },
      { channel: 'whatsapp', account: '106540352242922', customer: '233241234567', status: 'failed', ids: ['wamid.ours_2'], at: '2025-12-09T17:10:00.000Z', reason: 'Message undeliverable: Message Undeliverable. (131026)' },
    ]);
  });
});

describe('webhook bodies this connector does not turn into messages', () => {
  it('says why, and keeps what it cannot read for the dead-letter topic', () => {
    expect(readWebhook({ object: 'permissions', entry: [] }, receivedAt)).toEqual([{ kind: 'skipped', reason: 'webhook object "permissions" is not one this connector reads' }]);
    expect(readWebhook([], receivedAt)).toMatchObject([{ kind: 'unusable', reason: 'webhook body is not a JSON object' }]);
    const noSender = readWebhook({ object: 'page', entry: [{ id: '1', messaging: [{ message: { mid: 'm1', text: 'x' } }] }] }, receivedAt);
    expect(noSender).toMatchObject([{ kind: 'unusable', reason: 'messenger event without sender.id', raw: { message: { mid: 'm1' } } }]);
    const optin = readWebhook({ object: 'page', entry: [{ id: '1', messaging: [{ sender: { id: '2' }, optin: { ref: 'x' } }] }] }, receivedAt);
    expect(optin).toEqual([{ kind: 'skipped', reason: 'messenger event of a kind not turned into messages: optin' }]);
    const otherField = readWebhook({ object: 'whatsapp_business_account', entry: [{ id: 'w', changes: [{ field: 'account_update', value: {} }] }] }, receivedAt);
    expect(otherField).toEqual([{ kind: 'skipped', reason: 'WhatsApp change of field "account_update"' }]);
  });
});
