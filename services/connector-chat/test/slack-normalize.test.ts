import { describe, expect, it } from 'vitest';
import { InboundMessage, messageId } from '@switchboard/schema';
import { normalizeSlackEvent, parseSlackConversationKey, slackText, SlackPayloadError } from '../src/slack/normalize.ts';
import { fixture } from './helpers/slack.ts';

const identity = { botUserId: 'U0BOTUSER', botId: 'B0SWITCHBD' };
const decide = (name: string) => normalizeSlackEvent(JSON.parse(fixture(name)), identity, new Date('2026-11-24T16:00:00Z'));
const envelopeOf = (name: string) => {
  const decision = decide(name);
  if (decision.kind !== 'message') throw new Error(`${name} was ignored: ${decision.reason}`);
  return InboundMessage.parse(decision.envelope);
};

describe('normalizeSlackEvent', () => {
  it('turns a top-level channel message into an envelope that starts its own thread', () => {
    const m = envelopeOf('message.json');
    expect(m.id).toBe(messageId('slack', 'T0WALLET1', 'C0SUPPORT:1732464000.000100'));
    expect(m.account).toBe('T0WALLET1');
    expect(m.externalId).toBe('C0SUPPORT:1732464000.000100');
    expect(m.conversationKey).toBe('slack:T0WALLET1:C0SUPPORT:1732464000.000100');
    expect(m.sender.id).toBe('U0CUSTOMER');
    expect(m.text).toBe('Hi @U0BOTUSER, my top-up of 200 & fees <5 USD> never arrived: tx 991 (https://wallet.example/tx/991)');
    expect(m.sentAt).toBe('2024-11-24T16:00:00.000Z');
    expect(m.edit).toBeUndefined();
    expect(m.meta).toMatchObject({ team: 'T0WALLET1', channel: 'C0SUPPORT', eventId: 'Ev0MESSAGE01' });
  });

  it('keys a thread reply by its thread_ts', () => {
    const m = envelopeOf('thread-reply.json');
    expect(m.conversationKey).toBe('slack:T0WALLET1:C0SUPPORT:1732464000.000100');
    expect(m.externalId).toBe('C0SUPPORT:1732467600.000200');
  });

  it('keeps file metadata of a DM as attachments', () => {
    const m = envelopeOf('dm-with-file.json');
    expect(m.conversationKey).toBe('slack:T0WALLET1:D0DIRECTMSG:1732468000.000300');
    expect(m.attachments).toEqual([
      { name: 'receipt.png', contentType: 'image/png', size: 48213, url: 'https://files.slack.com/files-pri/T0WALLET1-F0RECEIPT1/receipt.png' },
    ]);
  });

  it('makes an edit a distinct, deterministic record pointing at the original', () => {
    const m = envelopeOf('message-changed.json');
    expect(m.edit).toEqual({ kind: 'edited', targetId: messageId('slack', 'T0WALLET1', 'C0SUPPORT:1732464000.000100') });
    expect(m.id).toBe(messageId('slack', 'T0WALLET1', 'C0SUPPORT:1732464000.000100:edit:1732464300.000000'));
    expect(m.id).not.toBe(m.edit!.targetId);
    expect(m.text).toBe('Hi, my top-up of 250 never arrived');
    expect(m.conversationKey).toBe('slack:T0WALLET1:C0SUPPORT:1732464000.000100');
    expect(envelopeOf('message-changed.json').id).toBe(m.id);
  });

  it('applies an edit whose message has no ts (only previous_message.ts) to the original, in its thread', () => {
    const m = envelopeOf('message-changed-previous-ts.json');
    expect(m.edit).toEqual({ kind: 'edited', targetId: messageId('slack', 'T0WALLET1', 'C0SUPPORT:1732467600.000200') });
    expect(m.id).toBe(messageId('slack', 'T0WALLET1', 'C0SUPPORT:1732467600.000200:edit:1732471200.000000'));
    expect(m.conversationKey).toBe('slack:T0WALLET1:C0SUPPORT:1732464000.000100');
    expect(m.sender.id).toBe('U0CUSTOMER');
    expect(m.text).toBe('Still nothing after two hours, the reference is TX-7781');
    expect(m.sentAt).toBe('2024-11-24T18:00:00.000Z');
    const neither = JSON.parse(fixture('message-changed-previous-ts.json'));
    delete neither.event.previous_message.ts;
    expect(() => normalizeSlackEvent(neither, identity)).toThrow(/without message.ts or previous_message.ts/);
  });

  it('makes a deletion a record pointing at the deleted message, in its thread', () => {
    const m = envelopeOf('message-deleted.json');
    expect(m.edit).toEqual({ kind: 'deleted', targetId: messageId('slack', 'T0WALLET1', 'C0SUPPORT:1732467600.000200') });
    expect(m.conversationKey).toBe('slack:T0WALLET1:C0SUPPORT:1732464000.000100');
    expect(m.sender.id).toBe('U0CUSTOMER');
    expect(m.text).toBe('');
  });

  it('ignores bot messages, our own messages and non-edit message_changed', () => {
    expect(decide('bot-message.json')).toEqual({ kind: 'ignored', reason: 'bot message' });
    expect(decide('own-message.json').kind).toBe('ignored');
    const own = JSON.parse(fixture('own-message.json'));
    delete own.event.bot_id;
    expect(normalizeSlackEvent(own, identity)).toEqual({ kind: 'ignored', reason: 'our own message' });
    const unfurl = JSON.parse(fixture('message-changed.json'));
    delete unfurl.event.message.edited;
    expect(normalizeSlackEvent(unfurl, identity).kind).toBe('ignored');
    const join = JSON.parse(fixture('message.json'));
    join.event.subtype = 'channel_join';
    expect(normalizeSlackEvent(join, identity)).toEqual({ kind: 'ignored', reason: 'subtype channel_join' });
  });

  it('rejects a malformed message event with a readable reason', () => {
    const broken = JSON.parse(fixture('message.json'));
    delete broken.event.ts;
    expect(() => normalizeSlackEvent(broken, identity)).toThrow(SlackPayloadError);
    expect(() => normalizeSlackEvent({ type: 'url_verification' }, identity)).toThrow(/not an event_callback/);
  });

  it('reads conversation keys and Slack markup', () => {
    expect(parseSlackConversationKey('slack:T1:C2:1732464000.000100')).toEqual({ team: 'T1', channel: 'C2', threadTs: '1732464000.000100' });
    expect(() => parseSlackConversationKey('webchat:abc')).toThrow(SlackPayloadError);
    expect(slackText('<!here> see <#C123|support> and <mailto:a@b.c|a@b.c>')).toBe('@here see #support and a@b.c (mailto:a@b.c)');
  });
});
