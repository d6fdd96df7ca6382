import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InboundMessage, messageId } from '@switchboard/schema';
import { readAll } from '@switchboard/testkit';
import { startTestGateway, type TestGateway } from './helpers.ts';

let sb: TestGateway;

beforeAll(async () => {
  sb = await startTestGateway();
});

afterAll(async () => {
  await sb?.close();
});

describe('the gateway alone (no router, no sink in the process)', () => {
  it('produces a posted message to the inbound topic, keyed by its conversation, before answering 202', async () => {
    const response = await sb.call('/api/v1/messages', {
      body: { externalId: 'alone-1', account: 'partner-shop', sender: { id: 'u-5', name: 'Li' }, text: '我的转账没有到账', sentAt: '2026-11-24T08:00:00Z' },
    });
    expect(response.status).toBe(202);
    const { id } = (await response.json()) as { id: string };
    expect(id).toBe(messageId('api', 'partner-shop', 'alone-1'));

    // Read up to the topic's end as it is now: the record is there because 202 waited for Kafka's ack.
    const records = await readAll(sb.kafka, sb.running.topics.inbound);
    const record = records.find((r) => r.value.includes(id))!;
    expect(record).toBeDefined();
    expect(record.key).toBe('api:u-5');
    expect(record.headers).toMatchObject({ channel: 'api', 'message-id': id });
    expect(InboundMessage.parse(JSON.parse(record.value))).toMatchObject({
      id,
      channel: 'api',
      account: 'partner-shop',
      externalId: 'alone-1',
      sender: { id: 'u-5', name: 'Li' },
      text: '我的转账没有到账',
      sentAt: '2026-11-24T08:00:00.000Z',
    });
  });

  it('is ready without the pipeline and still serves the read API', async () => {
    expect((await fetch(`${sb.url}/readyz`)).status).toBe(200);
    const response = await sb.call('/api/v1/tickets');
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ tickets: [] });
  });
});
