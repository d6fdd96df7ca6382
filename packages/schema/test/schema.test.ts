import { describe, expect, it } from 'vitest';
import { InboundMessage, RoutedMessage, messageId, stableId, topicNames, TOPIC_EXAMPLES, SchemaError, parseWith } from '../src/index.ts';

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
