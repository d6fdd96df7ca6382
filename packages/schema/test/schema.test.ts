import { describe, expect, it } from 'vitest';
import { InboundMessage, RoutedMessage, messageId, stableId, topicNames, TOPIC_EXAMPLES, TOPIC_SPECS, SchemaError, parseWith } from '../src/index.ts';

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
