/**
 * Slack over Socket Mode, offline: FakeSlackApi answers apps.connections.open with a WebSocket of its
 * own, says hello on it and carries Events API envelopes to the connector; what Slack would see are the
 * acknowledgements that come back.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InboundMessage, messageId } from '@switchboard/schema';
import type { BatchingProducer } from '@switchboard/kafka';
import type { HostedConnector } from '@switchboard/connector-sdk';
import { eventually, type kafkaForTest, readAll, readTopic } from '@switchboard/testkit';
import { createSlackConnector } from '../src/slack/connector.ts';
import { contextForTest, hostForTest, uniqueName } from './helpers/host.ts';
import { APP_TOKEN, BOT_TOKEN, FakeSlackApi, messageEvent, SIGNING_SECRET } from './helpers/slack.ts';

const acknowledged = (api: FakeSlackApi, envelopeId: string) => eventually(() => api.acks.includes(envelopeId), 10_000, `acknowledgement of ${envelopeId}`);
const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('slack connector in Socket Mode', () => {
  let env: Awaited<ReturnType<typeof kafkaForTest>>;
  let producer: BatchingProducer;
  let hosted: HostedConnector;
  const api = new FakeSlackApi();

  beforeAll(async () => {
    const apiUrl = await api.start();
    const connector = createSlackConnector(
      { signingSecret: SIGNING_SECRET, botToken: BOT_TOKEN, botUserId: 'U0BOTUSER', appToken: APP_TOKEN, apiUrl },
      { name: uniqueName('slack-socket') },
    );
    ({ env, producer, hosted } = await hostForTest(connector));
  });

  afterAll(async () => {
    await hosted?.stop();
    await producer?.disconnect();
    await api.stop();
  });

  it('opens the connection with the app token and mounts no HTTP route', () => {
    expect(hosted.connector.routes).toEqual([]);
    const opened = api.calls.filter((c) => c.method === 'apps.connections.open');
    expect(opened).toHaveLength(1);
    expect(opened[0]!.authorization).toBe(`Bearer ${APP_TOKEN}`);
    expect(hosted.connector.health()).toMatchObject({ ready: true, status: 'socket mode' });
  });

  it('opens a new connection when Slack recycles the old one, and goes on receiving', async () => {
    api.askToReconnect();
    // The client waits a few seconds before it reconnects, as it does after any lost connection.
    // Delivering right after apps.connections.open would race the WebSocket that follows it.
    await eventually(() => api.connections === 2 && api.socketsConnected === 2, 20_000, 'a second connection');
    const body = messageEvent({ text: 'after the reconnect', ts: '1732471000.000200', eventId: 'Ev0SOCKET02' });
    await acknowledged(api, api.deliver(body));
    const id = messageId('slack', 'T0WALLET1', 'C0SUPPORT:1732471000.000200');
    await readTopic(env.kafka, env.topics.inbound, (rs) => rs.some((r) => r.value.includes(id)));
  }, 30_000);

  it('produces an event delivered on the socket, acknowledges it, and produces its redelivery once', async () => {
    const body = messageEvent({ text: 'over the socket: my top-up never arrived', ts: '1732471000.000100', eventId: 'Ev0SOCKET01' });
    await acknowledged(api, api.deliver(body));
    await acknowledged(api, api.deliver(body, 1));
    const id = messageId('slack', 'T0WALLET1', 'C0SUPPORT:1732471000.000100');
    await readTopic(env.kafka, env.topics.inbound, (rs) => rs.some((r) => r.value.includes(id)));
    const all = (await readAll(env.kafka, env.topics.inbound)).map((r) => InboundMessage.parse(JSON.parse(r.value)));
    expect(all.filter((m) => m.id === id).map((m) => m.text)).toEqual(['over the socket: my top-up never arrived']);
  });
});

describe('slack connector in Socket Mode while producing is slow or fails', () => {
  // emit is held or fails when the test says.
  it('acknowledges an envelope only once its message is emitted, and not at all when emitting fails', async () => {
    const emitted: string[] = [];
    let attempts = 0;
    let failNext = false;
    let release: () => void = () => undefined;
    let held: Promise<void> | undefined = new Promise<void>((resolve) => (release = resolve));
    const context = contextForTest('slack-socket', async (messages) => {
      attempts++;
      if (held) await held;
      if (failNext) {
        failNext = false;
        throw new Error('broker not available');
      }
      emitted.push(...messages.map((m) => InboundMessage.parse(m).text));
    });
    const api = new FakeSlackApi();
    const connector = createSlackConnector({ signingSecret: SIGNING_SECRET, botToken: BOT_TOKEN, appToken: APP_TOKEN, apiUrl: await api.start() });
    await connector.start(context);
    try {
      const slow = api.deliver(messageEvent({ text: 'held by a slow broker', ts: '1732472000.000100', eventId: 'Ev0SLOW0001' }));
      await eventually(() => attempts === 1, 10_000, 'the first emit');
      await pause(500);
      expect(api.acks).not.toContain(slow);
      release();
      held = undefined;
      await acknowledged(api, slow);

      failNext = true;
      const failing = messageEvent({ text: 'lost by a failed produce?', ts: '1732472000.000200', eventId: 'Ev0FAIL0001' });
      const failed = api.deliver(failing);
      await eventually(() => attempts === 2, 10_000, 'the failing emit');
      await pause(500);
      expect(api.acks).not.toContain(failed);
      // Slack delivers an unacknowledged envelope again.
      await acknowledged(api, api.deliver(failing, 1));
      expect(emitted).toEqual(['held by a slow broker', 'lost by a failed produce?']);
      expect(connector.health().errors).toBe(1);

      // Stopping waits for an envelope being processed, so its acknowledgement still goes out.
      held = new Promise<void>((resolve) => (release = resolve));
      const last = api.deliver(messageEvent({ text: 'sent while stopping', ts: '1732472000.000300', eventId: 'Ev0STOP0001' }));
      await eventually(() => attempts === 4, 10_000, 'the last emit');
      const stopping = connector.stop();
      await pause(200);
      release();
      await stopping;
      expect(api.acks).toContain(last);
    } finally {
      release();
      await connector.stop();
      await api.stop();
    }
  });
});
