import { describe, expect, it } from 'vitest';
import { DeliveryReport, InboundMessage, RoutedMessage, messageId, stableId, topicNames, TOPIC_EXAMPLES, TOPIC_SPECS, SchemaError, parseWith } from '../src/index.ts';

describe('message ids', () => {
  it('are deterministic per channel, account and external id', () => {
    expect(messageId('email', 'a@x', '<1@x>')).toBe(messageId('email', 'a@x', '<1@x>'));
    expect(messageId('email', 'a@x', '<1@x>')).not.toBe(messageId('email', 'b@x', '<1@x>'));
    expect(messageId('twitter', 'ab', 'c')).not.toBe(messageId('twitter', 'a', 'bc'));
    expect(messageId('api', 'api', 'x')).toMatch(/^msg_[0-9a-f]{32}$/);
    expect(stableId('ack', 't1')).toBe(stableId('ack', 't1'));
  });
});

describe('envelopes', () => {
  it('accept the documented examples and fill defaults', () => {
    expect(InboundMessage.parse(TOPIC_EXAMPLES.inbound).attachments).toEqual([]);
    expect(RoutedMessage.parse(TOPIC_EXAMPLES.routed).category).toBe('transaction');
  });
  it('name every failing field in a readable error', () => {
    const bad = { ...(TOPIC_EXAMPLES.inbound as object), channel: 'Fax!', sentAt: 'yesterday' };
    expect(() => parseWith(InboundMessage, 'InboundMessage', bad)).toThrow(SchemaError);
    expect(() => parseWith(InboundMessage, 'InboundMessage', bad)).toThrow(/channel: .*sentAt: /s);
  });
  it('put a prefix on every topic name', () => {
    expect(topicNames('t.').inbound).toBe('t.cs.messages.inbound.v1');
    expect(topicNames().checkpoints).toBe('cs.connector.checkpoints.v1');
  });
  it('give the outbound ledger one partition per outbound partition (an entry goes where its record is)', () => {
    expect(TOPIC_SPECS.ledger.partitions).toBe(TOPIC_SPECS.outbound.partitions);
  });
});

describe('what connectors find beyond the text', () => {
  const inbound = TOPIC_EXAMPLES.inbound as Record<string, unknown>;
  it('a sender may be marked suspect and its address unusable, each with a code and a reason', () => {
    const flag = { code: 'encoded-word-in-address', reason: 'Built to look like support@bank.example.' };
    const parsed = InboundMessage.parse({ ...inbound, sender: { id: 'x@bank.example', suspect: flag, unusableAddress: flag } });
    expect(parsed.sender).toMatchObject({ suspect: flag, unusableAddress: flag });
    expect(() => InboundMessage.parse({ ...inbound, sender: { id: 'x', suspect: { code: 'Not A Code', reason: 'r' } } })).toThrow(/code/);
  });
  it('a message may carry a spam verdict', () => {
    expect(InboundMessage.parse({ ...inbound, spam: { reason: 'X-Spam-Flag: YES', score: 7.5 } }).spam).toEqual({ reason: 'X-Spam-Flag: YES', score: 7.5 });
  });
  it('a delivery report names the outbound message by our id or by the channel id of what was sent, not by neither', () => {
    const base = { schemaVersion: 1, channel: 'email', status: 'failed', at: '2026-03-01T00:00:00Z' };
    expect(DeliveryReport.parse({ ...base, outboundId: 'out-1', ticketId: 't-1' }).outboundId).toBe('out-1');
    expect(DeliveryReport.parse({ ...base, externalId: 'sb.SB-000001.abc@wallet.example' }).outboundId).toBeUndefined();
    expect(() => parseWith(DeliveryReport, 'DeliveryReport', base)).toThrow(/names the outbound message/);
    expect(() => parseWith(DeliveryReport, 'DeliveryReport', { ...base, externalId: '' })).toThrow(/names the outbound message/);
  });
});

describe('events on the envelope', () => {
  const location = {
    ...(TOPIC_EXAMPLES.inbound as object),
    text: '',
    event: { type: 'LOCATION', fields: { Latitude: 31.2304, Longitude: 121.4737, Precision: 65 } },
  };
  it('carry the channel name and every field; records without one still parse', () => {
    expect(InboundMessage.parse(location).event).toEqual({ type: 'LOCATION', fields: { Latitude: 31.2304, Longitude: 121.4737, Precision: 65 } });
    expect(InboundMessage.parse({ ...location, event: { type: 'subscribe' } }).event).toEqual({ type: 'subscribe', fields: {} });
    expect(InboundMessage.parse(TOPIC_EXAMPLES.inbound).event).toBeUndefined();
    expect(RoutedMessage.parse({ ...(TOPIC_EXAMPLES.routed as object), event: { type: 'CLICK', fields: { EventKey: 'AGENT' }, opensTicket: true } }).event?.opensTicket).toBe(true);
  });
  it('refuse an event without a type', () => {
    expect(() => parseWith(InboundMessage, 'InboundMessage', { ...location, event: { fields: {} } })).toThrow(/event\.type/);
  });
});
