import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadClassifier, type Classifier } from '@switchboard/classifier';
import { BatchingProducer, type RunningConsumer } from '@switchboard/kafka';
import { DeadLetter, RoutedMessage, TOPIC_EXAMPLES, type InboundMessage } from '@switchboard/schema';
import { kafkaForTest, readTopic } from '@switchboard/testkit';
import { route, startRouter } from '../src/index.ts';

const inbound = (overrides: Partial<InboundMessage>): InboundMessage => ({ ...(TOPIC_EXAMPLES.inbound as InboundMessage), ...overrides });

describe('route', () => {
  const classifier = loadClassifier();
  it('masks before classifying, in text, subject and channel extras', () => {
    const routed = route(
      inbound({ text: 'Someone used my card 4111 1111 1111 1111 without permission, my OTP is 839201', subject: 'fraud 4111111111111111', meta: { fullText: 'card 4111111111111111 and quoted history' } }),
      classifier,
    );
    expect(routed.text).toBe('Someone used my card [card ****1111] without permission, my OTP is [code]');
    expect(routed.subject).toBe('fraud [card ****1111]');
    expect(routed.meta.fullText).toBe('card [card ****1111] and quoted history');
    expect(routed.redactions).toEqual(expect.arrayContaining([{ kind: 'card_number', count: 2 }, { kind: 'one_time_code', count: 1 }]));
    expect(routed.category).toBe('security');
    expect(routed.priority).toBe('urgent');
    expect(routed.classifierVersion).toBe(classifier.version);
  });
  it('carries entities read from the masked text, every list present', () => {
    const routed = route(inbound({ text: 'All good, thanks', subject: 'hello' }), classifier);
    expect(routed.entities).toEqual({ amounts: [], references: [], times: [], cardLast4: [], counterparties: [] });
  });
  it('refuses to produce a decision the schema rejects', () => {
    const broken: Classifier = { version: 'broken', classify: (text, subject) => ({ ...classifier.classify(text, subject), confidence: Number.NaN }) };
    expect(() => route(inbound({}), broken)).toThrow(/RoutedMessage: confidence/);
  });
});

describe('router on a real broker', () => {
  let env: Awaited<ReturnType<typeof kafkaForTest>>;
  let producer: BatchingProducer;
  let router: RunningConsumer;
  beforeAll(async () => {
    env = await kafkaForTest();
    producer = new BatchingProducer(env.kafka);
    await producer.connect();
    router = await startRouter({ kafka: env.kafka, producer, topics: env.topics, classifier: loadClassifier() });
  });
  afterAll(async () => {
    await router.stop();
    await producer.disconnect();
  });

  it('produces routed messages keyed by conversation with category headers, routes a channel it does not know, and dead-letters invalid input', async () => {
    const { subject: _subject, ...withoutSubject } = inbound({ id: 'msg_0123456789abcdef0123456789abcdef', conversationKey: 'conv-1', text: '我申请的退款什么时候退回来？已经等了两周了' });
    const message = withoutSubject as InboundMessage;
    // A connector deployed before this router learnt of its channel: routed as it is, not lost.
    const fromNewChannel = { ...message, id: 'msg_fedcba9876543210fedcba9876543210', channel: 'fax', conversationKey: 'conv-2' };
    await producer.sendJson(env.topics.inbound, [
      { key: 'conv-1', value: message },
      { key: 'conv-1', value: { ...message, channel: 'Fax!' } },
      { key: 'conv-2', value: fromNewChannel },
    ]);
    const records = await readTopic(env.kafka, env.topics.routed, (rs) => rs.length >= 2);
    const record = records.find((r) => r.key === 'conv-1');
    const routed = RoutedMessage.parse(JSON.parse(record!.value));
    expect(record!.headers).toMatchObject({ category: routed.category, language: 'zh-Hans', channel: 'email' });
    expect(routed.category).toBe('refund');
    const fax = records.find((r) => r.key === 'conv-2')!;
    expect(fax.headers).toMatchObject({ channel: 'fax' });
    expect(RoutedMessage.parse(JSON.parse(fax.value))).toMatchObject({ id: fromNewChannel.id, channel: 'fax', category: 'refund' });
    const [letter] = await readTopic(env.kafka, env.topics.dlq, (rs) => rs.length >= 1);
    expect(DeadLetter.parse(JSON.parse(letter!.value)).reason).toMatch(/^schema violation: InboundMessage: channel/);
  });

  it('routes every message with its entities, read after masking', async () => {
    const message = inbound({
      id: 'msg_0123456789abcdef0123456789abcde0',
      conversationKey: 'conv-entities',
      sentAt: '2026-12-07T02:30:00.000Z',
      subject: '交易单号：TX20261206001',
      text: '昨天下午三点付给星巴克38块5，扣了两次。Card 4111 1111 1111 1111, my code is 48213190',
    });
    await producer.sendJson(env.topics.inbound, [{ key: 'conv-entities', value: message }]);
    const records = await readTopic(env.kafka, env.topics.routed, (rs) => rs.some((r) => r.key === 'conv-entities'));
    const routed = RoutedMessage.parse(JSON.parse(records.find((r) => r.key === 'conv-entities')!.value));
    expect(routed.text).toContain('my code is [code]');
    expect(routed.entities).toEqual({
      amounts: [{ value: '38.5', currency: 'CNY', text: '38块5' }],
      references: [{ kind: 'transaction', value: 'TX20261206001' }],
      times: [{ text: '昨天下午三点', date: '2026-12-06', at: '2026-12-06T15:00:00+08:00' }],
      cardLast4: ['1111'],
      counterparties: ['星巴克'],
    });
  });
});
