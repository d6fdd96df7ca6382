/**
 * The conformance kit: the one suite every connector passes, on the real Kafka broker. A connector's
 * test file calls `connectorConformance({...})` with a way to make its channel's peer deliver a
 * message; the kit checks what the Connector contract promises.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DeliveryReport, InboundMessage, type OutboundMessageInput } from '@switchboard/schema';
import { BatchingProducer, CheckpointStore } from '@switchboard/kafka';
import { kafkaForTest, readAll, readTopic, eventually } from '@switchboard/testkit';
import { hostConnector, type HostedConnector } from './host.ts';
import type { Connector } from './contract.ts';

export interface ConformanceSubject<C extends Connector = Connector> {
  /** Shown in the suite's name. */
  name: string;
  /** Starts the channel's peer (a server, a mock puppet); runs once before the suite. */
  setup?(): Promise<void>;
  teardown?(): Promise<void>;
  /** A new connector pointed at the peer. */
  create(): C | Promise<C>;
  /** Makes the peer deliver one new customer message whose text contains `marker`. */
  deliver(connector: C, marker: string): Promise<void>;
  /** Makes the peer deliver that same message again (a webhook retry, a resync, a poll overlap). */
  redeliver(connector: C, marker: string): Promise<void>;
  /** When the connector sends: an outbound message to the customer of the delivered message. */
  outbound?: {
    message(base: Pick<OutboundMessageInput, 'schemaVersion' | 'id' | 'kind' | 'ticketId' | 'ticketNumber' | 'createdAt'>): OutboundMessageInput;
    /** True once the peer received the text. */
    received(text: string): Promise<boolean>;
  };
}

interface ProduceEvent {
  topic: string;
  phase: 'sent' | 'acked';
}

/** Records when each produce left and was acknowledged, to check checkpoints follow acks. */
function recordingProducer(producer: BatchingProducer, events: ProduceEvent[]): BatchingProducer {
  const sendJson = producer.sendJson.bind(producer);
  producer.sendJson = async (topic, items) => {
    events.push({ topic, phase: 'sent' });
    const result = await sendJson(topic, items);
    events.push({ topic, phase: 'acked' });
    return result;
  };
  return producer;
}

export function connectorConformance<C extends Connector>(subject: ConformanceSubject<C>): void {
  describe(`connector conformance: ${subject.name}`, () => {
    let env: Awaited<ReturnType<typeof kafkaForTest>>;
    let producer: BatchingProducer;
    let hosted: HostedConnector;
    let connector: C;
    const events: ProduceEvent[] = [];
    const marker = `conformance-${Date.now().toString(36)}`;

    beforeAll(async () => {
      await subject.setup?.();
      env = await kafkaForTest();
      producer = recordingProducer(new BatchingProducer(env.kafka), events);
      await producer.connect();
      const checkpoints = await CheckpointStore.load(env.kafka, producer, env.topics.checkpoints);
      connector = await subject.create();
      hosted = await hostConnector(connector, {
        kafka: env.kafka,
        producer,
        topics: env.topics,
        checkpoints,
        dataDir: mkdtempSync(join(tmpdir(), 'sb-conformance-')),
      });
    }, 60_000);

    afterAll(async () => {
      await hosted?.stop().catch(() => undefined);
      await producer?.disconnect().catch(() => undefined);
      await subject.teardown?.();
    }, 30_000);

    const inboundWith = async (predicate: (n: number) => boolean) => {
      const records = await readTopic(env.kafka, env.topics.inbound, (rs) => predicate(rs.filter((r) => r.value.includes(marker)).length));
      return records.filter((r) => r.value.includes(marker)).map((r) => InboundMessage.parse(JSON.parse(r.value)));
    };

    it('emits a valid envelope for a delivered message, keyed by its conversation', async () => {
      await subject.deliver(connector, marker);
      const [message] = await inboundWith((n) => n >= 1);
      expect(message!.text).toContain(marker);
      expect(message!.id).toMatch(/^msg_[0-9a-f]{32}$/);
      expect(connector.channels.length === 0 || connector.channels.includes(message!.channel)).toBe(true);
    }, 60_000);

    it('gives a redelivered message the same id', async () => {
      await subject.redeliver(connector, marker);
      // Either the connector dropped the duplicate or it produced it again with the same id.
      await new Promise((r) => setTimeout(r, 1_500));
      const messages = await inboundWith((n) => n >= 1);
      expect(new Set(messages.map((m) => m.id)).size).toBe(1);
    }, 60_000);

    it('records checkpoints only after Kafka acknowledged the messages they cover', () => {
      let inboundAcked = 0;
      let inboundInFlight = 0;
      for (const event of events) {
        if (event.topic === env.topics.inbound) {
          if (event.phase === 'sent') inboundInFlight++;
          else (inboundInFlight--, inboundAcked++);
        }
        if (event.topic === env.topics.checkpoints && event.phase === 'sent') {
          expect(inboundInFlight, 'a checkpoint was written while messages were still unacknowledged').toBe(0);
        }
      }
      expect(inboundAcked).toBeGreaterThan(0);
    });

    it('reports health', () => {
      const health = connector.health();
      expect(typeof health.status).toBe('string');
      expect(health.ready).toBe(true);
    });

    if (subject.outbound) {
      const outbound = subject.outbound;
      it('sends an outbound message once and reports the result', async () => {
        const text = `reply ${marker}`;
        const id = `out_${marker}`;
        const message = outbound.message({ schemaVersion: 1, id, kind: 'reply', ticketId: 't-1', ticketNumber: 'SB-000001', createdAt: new Date().toISOString() });
        const record = { key: message.conversationKey, value: { ...message, text } };
        await producer.sendJson(env.topics.outbound, [record, record]);
        const reports = await readTopic(env.kafka, env.topics.delivery, (rs) => rs.some((r) => r.value.includes(id)));
        const report = DeliveryReport.parse(JSON.parse(reports.find((r) => r.value.includes(id))!.value));
        expect(report.status, report.reason).toBe('sent');
        await eventually(() => outbound.received(text), 20_000, 'peer received the reply');
        await new Promise((r) => setTimeout(r, 1_000));
        const again = await readAll(env.kafka, env.topics.delivery);
        expect(again.filter((r) => r.value.includes(id))).toHaveLength(1);
      }, 60_000);
    }

    it('stops cleanly within 10 seconds', async () => {
      const started = Date.now();
      await hosted.stop();
      expect(Date.now() - started).toBeLessThan(10_000);
    }, 15_000);
  });
}
