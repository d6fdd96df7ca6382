import { describe, expect, it } from 'vitest';
import type { OutboundMessage } from '@switchboard/schema';
import { conversationKeyOf, parseConversationKey, splitForChannel } from '../src/index.ts';
import { messagingBody, whatsappTemplateBody, whatsappTextBody } from '../src/outbound.ts';

const reply = (fields: Partial<OutboundMessage> = {}): OutboundMessage => ({
  schemaVersion: 1,
  id: 'reply_1',
  kind: 'reply',
  ticketId: 'tkt_1',
  ticketNumber: 'SB-000042',
  channel: 'whatsapp',
  account: '106540352242922',
  conversationKey: 'whatsapp:106540352242922:16505551234',
  recipient: { id: '16505551234', name: 'Sheena Nelson' },
  public: false,
  text: 'We refunded the second top-up.\n\nIt shows in 1-3 days.',
  createdAt: '2026-12-07T10:00:00.000Z',
  meta: {},
  ...fields,
});

describe('conversation keys', () => {
  it('name the channel, our account and the customer, and read back', () => {
    const key = conversationKeyOf('instagram', '17841405793187218', '912345678901234');
    expect(key).toBe('instagram:17841405793187218:912345678901234');
    expect(parseConversationKey(key)).toEqual({ channel: 'instagram', account: '17841405793187218', customer: '912345678901234' });
    expect(parseConversationKey('email:<root@x>')).toBeUndefined();
  });
});

describe('Send API bodies', () => {
  it('answer on Messenger and Instagram with RESPONSE, and with the HUMAN_AGENT tag in that mode', () => {
    expect(messagingBody(reply({ replyMode: 'response' }), 'psid', 'hi')).toEqual({ recipient: { id: 'psid' }, messaging_type: 'RESPONSE', message: { text: 'hi' } });
    expect(messagingBody(reply({ replyMode: 'human_agent' }), 'psid', 'hi')).toEqual({ recipient: { id: 'psid' }, messaging_type: 'MESSAGE_TAG', tag: 'HUMAN_AGENT', message: { text: 'hi' } });
    expect(messagingBody(reply(), 'psid', 'hi')).toMatchObject({ messaging_type: 'RESPONSE' });
  });

  it('never tag an acknowledgement, nor send in a mode the channel does not have', () => {
    expect(() => messagingBody(reply({ kind: 'ack', replyMode: 'human_agent' }), 'psid', 'hi')).toThrow(/only for replies a person wrote/);
    expect(() => messagingBody(reply({ replyMode: 'template' }), 'psid', 'hi')).toThrow(/not one of Messenger's and Instagram's/);
  });

  it('send WhatsApp text in the window and the configured template after it, the reply on one line', () => {
    expect(whatsappTextBody('16505551234', 'hi')).toEqual({ messaging_product: 'whatsapp', recipient_type: 'individual', to: '16505551234', type: 'text', text: { preview_url: false, body: 'hi' } });
    const template = { name: 'support_reply', language: 'en_US', parameters: ['name', 'ticket', 'text'] as const };
    expect(whatsappTemplateBody('16505551234', reply(), template)).toEqual({
      messaging_product: 'whatsapp',
      recipient_type: 'individual',
      to: '16505551234',
      type: 'template',
      template: {
        name: 'support_reply',
        language: { code: 'en_US' },
        components: [{ type: 'body', parameters: [{ type: 'text', text: 'Sheena Nelson' }, { type: 'text', text: 'SB-000042' }, { type: 'text', text: 'We refunded the second top-up. / It shows in 1-3 days.' }] }],
      },
    });
    expect(() => whatsappTemplateBody('16505551234', reply(), undefined)).toThrow(/no approved template is configured \(WHATSAPP_TEMPLATE_NAME\)/);
  });
});

describe('long replies', () => {
  it('go out in pieces within each channel\'s limit, cut at a break', () => {
    const paragraph = 'Your transfer is on its way and should arrive today. '.repeat(30).trim();
    const text = `${paragraph}\n\n${paragraph}`;
    const messenger = splitForChannel('messenger', text);
    expect(messenger.length).toBeGreaterThan(1);
    expect(messenger.every((p) => [...p].length <= 2000)).toBe(true);
    expect(messenger.join(' ').replace(/\s+/g, ' ')).toBe(text.replace(/\s+/g, ' '));
    expect(messenger[0]!.endsWith('today.')).toBe(true);
    // Instagram counts bytes: Chinese text takes three per character.
    const chinese = '您的转账正在处理中，今天应该会到账。'.repeat(40);
    const instagram = splitForChannel('instagram', chinese);
    expect(instagram.every((p) => Buffer.byteLength(p) <= 1000)).toBe(true);
    expect(instagram.join('')).toBe(chinese);
    expect(splitForChannel('whatsapp', 'short')).toEqual(['short']);
  });
});
