/** The webhook on the real broker: Meta's subscription check, signatures over the raw body, whole batches, 503 when Kafka cannot take them. */
import { tmpdir } from 'node:os';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DeadLetter, InboundMessage } from '@switchboard/schema';
import { HttpServer } from '@switchboard/http';
import type { ConnectorContext } from '@switchboard/connector-sdk';
import { createLogger } from '@switchboard/runtime';
import { readAll, readTopic } from '@switchboard/testkit';
import { MetaConnector, metaSignature, WEBHOOK_PATH } from '../src/index.ts';
import { APP_SECRET, metaConfig, PAGE, PSID, startHarness, VERIFY_TOKEN, type Harness } from './harness.ts';
import { fixture, messagingText, signedPost } from './payloads.ts';

let h: Harness;
beforeAll(async () => {
  h = await startHarness();
});
afterAll(() => h?.stop());

const inbound = async () => (await readAll(h.env.kafka, h.env.topics.inbound)).map((r) => ({ key: r.key, message: InboundMessage.parse(JSON.parse(r.value)) }));

describe("Meta's subscription check", () => {
  const verify = (query: string) => fetch(`${h.url}?${query}`);

  it('echoes hub.challenge for hub.mode=subscribe with the right verify token', async () => {
    const response = await verify(`hub.mode=subscribe&hub.verify_token=${VERIFY_TOKEN}&hub.challenge=1158201444`);
    expect(response.status).toBe(200);
    expect(await response.text()).toBe('1158201444');
  });

  it.each([
    ['a wrong verify token', `hub.mode=subscribe&hub.verify_token=wallet-verify-token-78&hub.challenge=1`],
    ['no verify token', 'hub.mode=subscribe&hub.challenge=1'],
    ['another mode', `hub.mode=unsubscribe&hub.verify_token=${VERIFY_TOKEN}&hub.challenge=1`],
    ['no challenge', `hub.mode=subscribe&hub.verify_token=${VERIFY_TOKEN}`],
  ])('refuses %s with 403', async (_what, query) => {
    const response = await verify(query);
    expect(response.status).toBe(403);
    expect(await response.text()).not.toContain(VERIFY_TOKEN);
  });
});

describe('signed deliveries', () => {
  it('refuses a missing, wrong or replaced signature with 401 and produces nothing; takes the same body signed by the app secret', async () => {
    const body = JSON.stringify(messagingText('page', PAGE.pageId, PSID, 'm_unsigned_1', 'unsigned hello', Date.now()));
    const other = JSON.stringify(messagingText('page', PAGE.pageId, PSID, 'm_unsigned_2', 'another body', Date.now()));
    const attempts = [
      fetch(h.url, { method: 'POST', body, headers: { 'content-type': 'application/json' } }),
      signedPost(h.url, APP_SECRET, body, metaSignature('ffffffffffffffffffffffffffffffff', body)),
      signedPost(h.url, APP_SECRET, body, metaSignature(APP_SECRET, other)),
      signedPost(h.url, APP_SECRET, body, metaSignature(APP_SECRET, body).replace('sha256=', 'sha1=')),
      // The same JSON re-serialized: the signature is over the bytes, not their meaning.
      signedPost(h.url, APP_SECRET, JSON.stringify(JSON.parse(body), null, 2), metaSignature(APP_SECRET, body)),
    ];
    for (const response of await Promise.all(attempts)) expect(response.status).toBe(401);
    expect((await signedPost(h.url, APP_SECRET, other)).status).toBe(200);
    const texts = (await inbound()).map((r) => r.message.text);
    expect(texts).toContain('another body');
    expect(texts).not.toContain('unsigned hello');
  });

  it('reads every entry and event of a batch, each message once, and answers 200 only once Kafka has them', async () => {
    for (const name of ['messenger-batch.json', 'instagram-batch.json', 'whatsapp-batch.json']) {
      const response = await signedPost(h.url, APP_SECRET, JSON.stringify(fixture(name)));
      expect(response.status, name).toBe(200);
      expect(await response.text()).toBe('EVENT_RECEIVED');
    }
    // Read at once, without waiting: the 200 came after Kafka's acknowledgement.
    const records = (await inbound()).filter((r) => r.message.externalId !== 'm_unsigned_2');
    const byChannel = (channel: string) => records.filter((r) => r.message.channel === channel);
    // Conversations land on their own partitions: the order within each is Meta's, across them any.
    expect(byChannel('messenger').map((r) => r.message.externalId).sort()).toEqual([
      'm_AG5Hz2Uq7tuwNEhXfYYKj8mJEM_QPpz5jdCK48PnKAjSdjfipqxqMvK8ma6AC8fplwlqLP_5cgXIbu7I3rBN0P',
      'm_Qw8f3JZlJd2nYbXrS3bO1q4ns7mdNlW2ZK5pXv1bB9c7dGkXo0vWQhN8Zl3oIuTq4uJm2s9Jb5n6RtV1cF2eA',
      'm_sticker_7788_1',
      'm_location_7788_1',
      'm_postback_7788_1',
      'm_standby_5566_1',
    ].sort());
    expect(byChannel('instagram')).toHaveLength(3);
    expect(byChannel('whatsapp')).toHaveLength(7);
    for (const { key, message } of records) expect(key).toBe(message.conversationKey);
    // The bare ad referral that came before the sticker is on the sticker's envelope.
    expect(byChannel('messenger').find((r) => r.message.externalId === 'm_sticker_7788_1')!.message.meta.referral).toMatchObject({ source: 'ADS', ad_id: '6045246247433' });
    expect(records.some((r) => /echo|We are looking into it/.test(r.message.text))).toBe(false);
    expect(h.connector.health()).toMatchObject({ ready: true, status: 'listening for webhooks' });
  });

  it('keeps a signed body it cannot read on the dead-letter topic, and a delivery Meta will not re-send is answered 200', async () => {
    expect((await signedPost(h.url, APP_SECRET, '{"object": "page", "entry": [')).status).toBe(200);
    const letters = await readTopic(h.env.kafka, h.env.topics.dlq, (rs) => rs.some((r) => r.value.includes('not JSON')));
    const letter = DeadLetter.parse(JSON.parse(letters.find((r) => r.value.includes('not JSON'))!.value));
    expect(letter.reason).toMatch(/^signed webhook body is not JSON/);
    expect(Buffer.from(letter.originalValue, 'base64').toString()).toBe('{"object": "page", "entry": [');
    expect(letter.reason).not.toContain(APP_SECRET);
  });
});

describe('when Kafka cannot take a delivery', () => {
  it('answers 503, so Meta re-sends it, and 503 before the connector runs', async () => {
    const connector = new MetaConnector(metaConfig('http://127.0.0.1:9'));
    const server = new HttpServer();
    server.mount(connector.routes);
    const url = `${await server.listen()}${WEBHOOK_PATH}`;
    const body = JSON.stringify(messagingText('page', PAGE.pageId, PSID, 'm_kafka_down', 'is anyone there', Date.now()));
    try {
      expect((await signedPost(url, APP_SECRET, body)).status).toBe(503);
      const context: ConnectorContext = {
        emit: async () => {
          throw new Error('KafkaJSNumberOfRetriesExceeded');
        },
        deadLetter: async () => undefined,
        reportDelivery: async () => undefined,
        checkpoint: () => undefined,
        saveCheckpoint: async () => undefined,
        logger: createLogger('test.meta'),
        signal: new AbortController().signal,
        dataDir: tmpdir(),
      };
      await connector.start(context);
      const response = await signedPost(url, APP_SECRET, body);
      expect(response.status).toBe(503);
      expect((await response.json()) as { error: string }).toEqual({ error: expect.stringContaining('Meta will retry') });
    } finally {
      await server.close();
    }
  });
});
