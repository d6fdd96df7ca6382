/**
 * Slack end to end on the real broker: Bolt's HTTP receiver mounted on an HttpServer, fed requests
 * signed with a real signing secret; outbound through the SDK host to a local fake Web API.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DeliveryReport, InboundMessage, messageId, type OutboundMessageInput } from '@switchboard/schema';
import type { BatchingProducer } from '@switchboard/kafka';
import { contextForTest, hostForTest, uniqueName } from './helpers/host.ts';
import type { HostedConnector } from '@switchboard/connector-sdk';
import { HttpServer } from '@switchboard/http';
import { eventually, type kafkaForTest, readAll, readTopic } from '@switchboard/testkit';
import { createSlackConnector } from '../src/slack/connector.ts';
import { BOT_TOKEN, FakeSlackApi, fixture, messageEvent, postEvent, SIGNING_SECRET } from './helpers/slack.ts';

describe('slack connector', () => {
  let env: Awaited<ReturnType<typeof kafkaForTest>>;
  let producer: BatchingProducer;
  let hosted: HostedConnector;
  const api = new FakeSlackApi();
  const http = new HttpServer();
  let base: string;

  const inbound = async (done: (messages: InboundMessage[]) => boolean) =>
    (await readTopic(env.kafka, env.topics.inbound, (rs) => done(rs.map((r) => InboundMessage.parse(JSON.parse(r.value)))))).map((r) =>
      InboundMessage.parse(JSON.parse(r.value)),
    );

  beforeAll(async () => {
    const apiUrl = await api.start();
    const connector = createSlackConnector({ signingSecret: SIGNING_SECRET, botToken: BOT_TOKEN, botUserId: 'U0BOTUSER', apiUrl }, { name: uniqueName('slack') });
    ({ env, producer, hosted } = await hostForTest(connector));
    http.mount(connector.routes);
    base = await http.listen();
  });

  afterAll(async () => {
    await hosted?.stop();
    await producer?.disconnect();
    await http.close();
    await api.stop();
  });

  it('answers url_verification with the challenge', async () => {
    const response = await postEvent(base, fixture('url-verification.json'));
    expect(response.status).toBe(200);
    expect(await response.text()).toContain('3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P');
  });

  it('refuses a bad signature (401) and a stale timestamp, producing nothing', async () => {
    const forged = messageEvent({ text: 'forged', ts: '1732464999.000001', eventId: 'Ev0FORGED01' });
    expect((await postEvent(base, forged, { secret: 'not-the-secret-at-all' })).status).toBe(401);
    const stale = messageEvent({ text: 'stale', ts: '1732464999.000002', eventId: 'Ev0STALE001' });
    expect((await postEvent(base, stale, { timestamp: Math.floor(Date.now() / 1000) - 6 * 60 })).status).toBe(401);
    // A valid event sent afterwards shows the others never reached the topic.
    const after = messageEvent({ text: 'after the forged ones', ts: '1732464999.000003', eventId: 'Ev0AFTER001' });
    expect((await postEvent(base, after)).status).toBe(200);
    const messages = await inbound((ms) => ms.some((m) => m.text === 'after the forged ones'));
    expect(messages.map((m) => m.text)).not.toContain('forged');
    expect(messages.map((m) => m.text)).not.toContain('stale');
  });

  it('produces a retried event once, with the deterministic id', async () => {
    const body = fixture('message.json');
    expect((await postEvent(base, body)).status).toBe(200);
    expect((await postEvent(base, body, { retryNum: 1 })).status).toBe(200);
    expect((await postEvent(base, body, { retryNum: 2 })).status).toBe(200);
    const id = messageId('slack', 'T0WALLET1', 'C0SUPPORT:1732464000.000100');
    await inbound((ms) => ms.some((m) => m.id === id));
    await new Promise((r) => setTimeout(r, 500));
    const all = (await readAll(env.kafka, env.topics.inbound)).map((r) => InboundMessage.parse(JSON.parse(r.value)));
    expect(all.filter((m) => m.id === id)).toHaveLength(1);
    const record = (await readAll(env.kafka, env.topics.inbound)).find((r) => r.value.includes(id))!;
    expect(record.key).toBe('slack:T0WALLET1:C0SUPPORT:1732464000.000100');
  });

  it('produces threaded replies, edits and deletions; ignores bot and own messages', async () => {
    for (const name of ['bot-message.json', 'own-message.json', 'thread-reply.json', 'message-changed.json', 'message-deleted.json']) {
      expect((await postEvent(base, fixture(name))).status, name).toBe(200);
    }
    const messages = await inbound((ms) => ms.some((m) => m.edit?.kind === 'deleted'));
    const reply = messages.find((m) => m.externalId === 'C0SUPPORT:1732467600.000200')!;
    expect(reply.conversationKey).toBe('slack:T0WALLET1:C0SUPPORT:1732464000.000100');
    const edited = messages.find((m) => m.edit?.kind === 'edited')!;
    expect(edited.edit!.targetId).toBe(messageId('slack', 'T0WALLET1', 'C0SUPPORT:1732464000.000100'));
    expect(edited.text).toBe('Hi, my top-up of 250 never arrived');
    const deleted = messages.find((m) => m.edit?.kind === 'deleted')!;
    expect(deleted.edit!.targetId).toBe(reply.id);
    expect(messages.some((m) => m.text.includes('Deploy finished') || m.text.includes('we are looking into it'))).toBe(false);
  });

  it('applies a message_changed that carries only previous_message.ts to the original message, not to the DLQ', async () => {
    expect((await postEvent(base, fixture('message-changed-previous-ts.json'))).status).toBe(200);
    const original = messageId('slack', 'T0WALLET1', 'C0SUPPORT:1732467600.000200');
    const messages = await inbound((ms) => ms.some((m) => m.edit?.kind === 'edited' && m.edit.targetId === original));
    const edit = messages.find((m) => m.edit?.kind === 'edited' && m.edit.targetId === original)!;
    expect(edit.edit).toEqual({ kind: 'edited', targetId: original });
    expect(edit.text).toBe('Still nothing after two hours, the reference is TX-7781');
    expect(edit.conversationKey).toBe('slack:T0WALLET1:C0SUPPORT:1732464000.000100');
    const letters = await readAll(env.kafka, env.topics.dlq);
    expect(letters.filter((l) => l.value.includes('Ev0EDITPREV01'))).toEqual([]);
  });

  it('replies with chat.postMessage in the thread, without ever calling auth.test', async () => {
    const outbound: OutboundMessageInput = {
      schemaVersion: 1,
      id: 'out_slack_thread_1',
      kind: 'reply',
      ticketId: 't-42',
      ticketNumber: 'SB-000042',
      channel: 'slack',
      account: 'T0WALLET1',
      conversationKey: 'slack:T0WALLET1:C0SUPPORT:1732464000.000100',
      recipient: { id: 'U0CUSTOMER' },
      text: 'We found your top-up <tx 991> & refunded the fee',
      createdAt: new Date().toISOString(),
    };
    await producer.sendJson(env.topics.outbound, [{ key: outbound.conversationKey, value: outbound }]);
    const reports = await readTopic(env.kafka, env.topics.delivery, (rs) => rs.some((r) => r.value.includes('out_slack_thread_1')));
    const report = DeliveryReport.parse(JSON.parse(reports.find((r) => r.value.includes('out_slack_thread_1'))!.value));
    expect(report.status, report.reason).toBe('sent');
    const call = await eventually(() => api.posted().find((c) => c.params.text?.includes('We found your top-up')), 5_000, 'postMessage');
    expect(call.params).toMatchObject({ channel: 'C0SUPPORT', thread_ts: '1732464000.000100', text: 'We found your top-up &lt;tx 991&gt; &amp; refunded the fee' });
    expect(call.authorization).toBe(`Bearer ${BOT_TOKEN}`);
    expect(report.externalId).toMatch(/^\d+\.\d+$/);
    expect(api.calls.filter((c) => c.method === 'auth.test')).toHaveLength(0);
  });

  it('dead-letters a malformed message event with its bytes and acknowledges it', async () => {
    const broken = JSON.parse(messageEvent({ text: 'no timestamp here', ts: '1732469999.000001', eventId: 'Ev0BROKEN01' }));
    delete broken.event.ts;
    expect((await postEvent(base, JSON.stringify(broken))).status).toBe(200);
    const letters = await readTopic(env.kafka, env.topics.dlq, (rs) => rs.some((r) => r.value.includes('Ev0BROKEN01')));
    const letter = JSON.parse(letters.find((r) => r.value.includes('Ev0BROKEN01'))!.value) as { reason: string; originalValue: string };
    expect(letter.reason).toMatch(/malformed message event: ts/);
    expect(Buffer.from(letter.originalValue, 'base64').toString()).toContain('no timestamp here');
  });

  it('reports health', () => {
    expect(hosted.connector.health()).toMatchObject({ ready: true, status: 'listening for events' });
  });
});

describe('slack connector when producing fails', () => {
  // emit rejects once, as a produce that was not acknowledged would.
  it('answers 500 so Slack retries, and produces the retry', async () => {
    const emitted: InboundMessage[] = [];
    let failures = 1;
    const context = contextForTest('slack', async (messages) => {
      if (failures-- > 0) throw new Error('broker not available');
      emitted.push(...messages.map((m) => InboundMessage.parse(m)));
    });
    const connector = createSlackConnector({ signingSecret: SIGNING_SECRET, botToken: BOT_TOKEN, apiUrl: 'http://127.0.0.1:9/api/' });
    const server = new HttpServer();
    server.mount(connector.routes);
    const url = await server.listen();
    try {
      expect((await postEvent(url, fixture('thread-reply.json'))).status).toBe(503);
      await connector.start(context);
      expect((await postEvent(url, fixture('thread-reply.json'))).status).toBe(500);
      expect(emitted).toHaveLength(0);
      expect((await postEvent(url, fixture('thread-reply.json'), { retryNum: 1 })).status).toBe(200);
      expect((await postEvent(url, fixture('thread-reply.json'), { retryNum: 2 })).status).toBe(200);
      expect(emitted.map((m) => m.externalId)).toEqual(['C0SUPPORT:1732467600.000200']);
      expect(connector.health().errors).toBe(1);
    } finally {
      await connector.stop();
      await server.close();
    }
  });
});
