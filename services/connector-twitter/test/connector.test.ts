import { createHmac } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createContext, hostConnector, type HostedConnector } from '@switchboard/connector-sdk';
import { HttpServer } from '@switchboard/http';
import { BatchingProducer, CheckpointStore } from '@switchboard/kafka';
import { DeadLetter, DeliveryReport, InboundMessage, OutboundMessage, messageId, type OutboundMessageInput } from '@switchboard/schema';
import { eventually, kafkaForTest, readAll, readTopic } from '@switchboard/testkit';
import { OutboundRefusedError, TwitterConnector, WEBHOOK_PATH, type TwitterConfig } from '../src/index.ts';
import { DEFAULT_PRICES } from '../src/prices.ts';
import { CONSUMER_KEY, CONSUMER_SECRET, FakeTwitter, fixture } from './fake-twitter.ts';

const HELP_ID = '1050118621198921728';
const HELP = 'acmewallethelp';
const CN_ID = '1050118621198921999';
const CN = 'acmewalletcn';
const tokens = {
  help: { token: 'help-token-1050118621198921728-aXk', secret: 'help-token-secret-9f8e7d6c5b4a' },
  cn: { token: 'cn-token-1050118621198921999-qPz', secret: 'cn-token-secret-1a2b3c4d5e6f' },
};

const fake = new FakeTwitter();
const help = fake.addAccount({ id_str: HELP_ID, screen_name: 'AcmeWalletHelp', name: 'Acme Wallet Help' }, tokens.help.token, tokens.help.secret);
const cn = fake.addAccount({ id_str: CN_ID, screen_name: 'AcmeWalletCN', name: 'Acme 钱包客服' }, tokens.cn.token, tokens.cn.secret);

let env: Awaited<ReturnType<typeof kafkaForTest>>;
let producer: BatchingProducer;
let running: { connector: TwitterConnector; hosted: HostedConnector; http: HttpServer; url: string; checkpoints: CheckpointStore } | undefined;

const oauth1 = (token: { token: string; secret: string }) => ({ kind: 'oauth1' as const, accessToken: token.token, accessTokenSecret: token.secret });

/** The connector on v1.1 (TWITTER_API=v1.1), as an Enterprise account runs it. */
function v1Config(overrides: Partial<TwitterConfig>): TwitterConfig {
  return {
    api: 'v1.1',
    consumerKey: CONSUMER_KEY,
    consumerSecret: CONSUMER_SECRET,
    accounts: [],
    apiBase: fake.root,
    pollIntervalMs: 150,
    prices: DEFAULT_PRICES,
    backoff: { initialMs: 100, maxMs: 500 },
    timeoutMs: 5_000,
    ...overrides,
  };
}

function createConnector(): TwitterConnector {
  return new TwitterConnector(
    v1Config({
      accounts: [
        { handle: HELP, userId: HELP_ID, auth: oauth1(tokens.help) },
        // Handle and id learned from account/verify_credentials.
        { auth: oauth1(tokens.cn) },
      ],
    }),
  );
}

async function startConnector() {
  const connector = createConnector();
  const checkpoints = await CheckpointStore.load(env.kafka, producer, env.topics.checkpoints);
  const hosted = await hostConnector(connector, { kafka: env.kafka, producer, topics: env.topics, checkpoints, dataDir: mkdtempSync(join(tmpdir(), 'sb-twitter-')) });
  const http = new HttpServer();
  http.mount(connector.routes);
  running = { connector, hosted, http, url: await http.listen(), checkpoints };
}

async function stopConnector() {
  await running?.http.close();
  await running?.hosted.stop();
  running = undefined;
}

const parse = (value: string) => InboundMessage.parse(JSON.parse(value));

/** Every inbound message so far. */
async function allInbound(): Promise<InboundMessage[]> {
  return (await readAll(env.kafka, env.topics.inbound)).map((r) => parse(r.value));
}

/** Inbound messages once `done` holds for them. */
async function inboundUntil(done: (messages: InboundMessage[]) => boolean, timeoutMs = 20_000): Promise<InboundMessage[]> {
  const records = await readTopic(env.kafka, env.topics.inbound, (rs) => done(rs.map((r) => parse(r.value))), timeoutMs);
  return records.map((r) => parse(r.value));
}

const sign = (body: string, secret = CONSUMER_SECRET) => `sha256=${createHmac('sha256', secret).update(body).digest('base64')}`;

function postWebhook(body: string, signature: string | null = sign(body)) {
  return fetch(`${running!.url}${WEBHOOK_PATH}`, {
    method: 'POST',
    body,
    headers: { 'content-type': 'application/json', ...(signature ? { 'x-twitter-webhooks-signature': signature } : {}) },
  });
}

/** A mention of `handle` by Ann, in the shape mentions_timeline returns with tweet_mode=extended. */
function mention(id: string, text: string, to: { id: string; screenName: string } = { id: HELP_ID, screenName: 'AcmeWalletHelp' }) {
  const template = fixture('mentions-timeline.json').find((t: { id_str: string }) => t.id_str === '1861000000000000001');
  return {
    ...template,
    id: Number(id),
    id_str: id,
    created_at: new Date().toUTCString().replace(/^(\w+), (\d+) (\w+) (\d+) ([\d:]+) GMT$/, '$1 $3 $2 $5 +0000 $4'),
    full_text: `@${to.screenName} ${text}`,
    entities: { hashtags: [], symbols: [], urls: [], user_mentions: [{ screen_name: to.screenName, name: 'Acme', id_str: to.id, indices: [0, to.screenName.length + 1] }] },
    in_reply_to_user_id_str: to.id,
  };
}

const mentionsOf = (messages: InboundMessage[], account: string) => messages.filter((m) => m.account === account && m.meta.kind === 'mention');
const externalIds = (messages: InboundMessage[]) => messages.map((m) => m.externalId).sort();

describe('twitter connector on v1.1 (TWITTER_API=v1.1)', () => {
  beforeAll(async () => {
    help.mentions.push(...fixture('mentions-timeline.json'));
    cn.mentions.push(mention('1861000000000000100', '请问提现要多久到账？', { id: CN_ID, screenName: 'AcmeWalletCN' }));
    fake.dmPageSize = 2;
    await fake.start();
    env = await kafkaForTest();
    producer = new BatchingProducer(env.kafka);
    await producer.connect();
    await startConnector();
  }, 60_000);

  afterAll(async () => {
    await stopConnector().catch(() => undefined);
    await producer?.disconnect().catch(() => undefined);
    await fake.stop();
  }, 30_000);

  const checkpointsOf = () => running!.checkpoints;

  describe('twitter polling', () => {
    it('emits the customer mentions of every account, not retweets or our own tweets, and checkpoints since_id', async () => {
      const messages = await inboundUntil((ms) => mentionsOf(ms, HELP).length >= 5 && mentionsOf(ms, CN).length >= 1);
      expect(externalIds(mentionsOf(messages, HELP))).toEqual(['1861000000000000001', '1861000000000000002', '1861000000000000003', '1861000000000000004', '1861000000000000007']);
      const [chinese] = mentionsOf(messages, CN);
      expect(chinese).toMatchObject({ externalId: '1861000000000000100', text: '请问提现要多久到账？', conversationKey: 'tweet:acmewalletcn:1861000000000000100' });
      expect(fake.requestsTo('account/verify_credentials').map((r) => r.userId)).toEqual([CN_ID]);

      await eventually(() => checkpointsOf().namespace('twitter').get(HELP, 'mentions')?.sinceId === '1861000000000000007', 10_000, 'mentions checkpoint');
      await eventually(() => fake.requestsTo('statuses/mentions_timeline').some((r) => r.userId === HELP_ID && r.query.get('since_id') === '1861000000000000007'), 10_000, 'a poll with since_id');
      const request = fake.requestsTo('statuses/mentions_timeline').find((r) => r.userId === HELP_ID)!;
      expect(Object.fromEntries(request.query)).toMatchObject({ count: '200', tweet_mode: 'extended' });
      expect(running!.connector.health()).toMatchObject({ ready: true });
    });

    it('follows DM cursors back to the checkpoint, skipping our own DMs', async () => {
      await eventually(() => checkpointsOf().namespace('twitter').get(HELP, 'dms')?.lastEventId === '0', 10_000, 'baseline DM checkpoint of an empty inbox');
      help.dmEvents.push(...fixture('dm-events.json').events);
      const messages = await inboundUntil((ms) => ms.filter((m) => m.meta.kind === 'dm').length >= 4);
      expect(externalIds(messages.filter((m) => m.meta.kind === 'dm'))).toEqual(['dm:1861000000000001001', 'dm:1861000000000001003', 'dm:1861000000000001004', 'dm:1861000000000001005']);
      // Senders named from users/lookup, as a webhook's `users` names them.
      expect(messages.find((m) => m.externalId === 'dm:1861000000000001004')!.sender).toEqual({ id: '7788990011', name: 'Mei Ho', address: '@mei_ho' });
      expect(messages.find((m) => m.externalId === 'dm:1861000000000001001')!.sender).toEqual({ id: '2244994945', name: 'Ann Lee', address: '@annlee_codes' });
      expect(fake.requestsTo('direct_messages/events/list').some((r) => r.query.has('cursor'))).toBe(true);
      await eventually(() => checkpointsOf().namespace('twitter').get(HELP, 'dms')?.lastEventId === '1861000000000001005', 10_000, 'DM checkpoint');
      // Once caught up, a poll reads one page: the newest event is the checkpoint.
      const before = fake.requestsTo('direct_messages/events/list').length;
      await eventually(() => fake.requestsTo('direct_messages/events/list').length >= before + 4, 10_000, 'more DM polls');
      const latest = fake.requestsTo('direct_messages/events/list').slice(-2);
      expect(latest.every((r) => !r.query.has('cursor'))).toBe(true);

      // A sender users/lookup does not know (404) still gets the DM through, unnamed.
      const [template] = fixture('dm-events.json').events;
      help.dmEvents.push({ ...template, id: '1861000000000001080', created_timestamp: String(Date.now()), message_create: { ...template.message_create, sender_id: '9999999999' } });
      const withStranger = await inboundUntil((ms) => ms.some((m) => m.externalId === 'dm:1861000000000001080'));
      expect(withStranger.find((m) => m.externalId === 'dm:1861000000000001080')!.sender).toEqual({ id: '9999999999' });
    });

    it('waits for x-rate-limit-reset after a 429 and when a window is used up, and says so in health', async () => {
      const resetAt = Math.floor(Date.now() / 1000) + 3;
      fake.failNext('statuses/mentions_timeline', {
        status: 429,
        body: { errors: [{ code: 88, message: 'Rate limit exceeded' }] },
        headers: { 'x-rate-limit-remaining': '0', 'x-rate-limit-reset': String(resetAt) },
      });
      const served = fake.requestsTo('statuses/mentions_timeline').length;
      await eventually(() => fake.requestsTo('statuses/mentions_timeline').length > served, 5_000, 'the 429 served');
      const limited = fake.requestsTo('statuses/mentions_timeline')[served]!;
      await eventually(() => /rate limited on GET 1.1\/statuses\/mentions_timeline.json/.test(running!.connector.health().status) && !running!.connector.health().ready, 3_000, 'rate-limited health');
      const next = await eventually(() => fake.requestsTo('statuses/mentions_timeline').slice(served + 1).find((r) => r.userId === limited.userId), 8_000, 'the next request after the reset');
      expect(next.at).toBeGreaterThanOrEqual(resetAt * 1000 - 5);

      // A 200 whose x-rate-limit-remaining is 0: no request before the window resets.
      const windowEnd = Math.floor(Date.now() / 1000) + 2;
      fake.setRateLimit('direct_messages/events/list', 0, windowEnd);
      const before = fake.requestsTo('direct_messages/events/list').length;
      await eventually(() => fake.requestsTo('direct_messages/events/list').length > before, 5_000, 'a DM poll with remaining 0');
      const exhausted = fake.requestsTo('direct_messages/events/list')[before]!;
      fake.setRateLimit('direct_messages/events/list', 74, windowEnd + 900);
      const after = await eventually(() => fake.requestsTo('direct_messages/events/list').slice(before + 1).find((r) => r.userId === exhausted.userId), 8_000, 'a DM poll after the reset');
      expect(after.at).toBeGreaterThanOrEqual(windowEnd * 1000 - 5);
      await eventually(() => running!.connector.health().ready, 5_000, 'ready again');
    });

    it('backs off on 503 and network errors, reports it, and recovers without losing a mention', async () => {
      fake.failNext('statuses/mentions_timeline', { status: 503, body: { errors: [{ code: 130, message: 'Over capacity' }] } }, 6);
      fake.failNext('statuses/mentions_timeline', { status: 503 }, 2);
      fake.failNext('statuses/mentions_timeline', { drop: true }, 2);
      help.mentions.push(mention('1861000000000000009', 'is the app down? I cannot log in'));
      const seen = new Set<string>();
      await eventually(
        () => {
          const health = running!.connector.health();
          if (!health.ready) seen.add(health.status);
          return [...seen].some((s) => /backing off after 503/.test(s)) && [...seen].some((s) => /network/.test(s));
        },
        15_000,
        'not ready while backing off, with the reason',
      );
      await inboundUntil((ms) => ms.some((m) => m.externalId === '1861000000000000009'));
      await eventually(() => running!.connector.health().ready, 10_000, 'ready after the outage');
      expect(running!.connector.health().errors).toBeGreaterThan(0);
    });
  });

  describe('twitter Account Activity webhook', () => {
    const tweetBody = JSON.stringify(fixture('webhook-tweet-create.json'));

    it('answers the CRC challenge with the HMAC of crc_token', async () => {
      const res = await fetch(`${running!.url}${WEBHOOK_PATH}?crc_token=${encodeURIComponent('Zm9vYmFy-crc-1795946553')}`);
      expect(res.status).toBe(200);
      const expected = `sha256=${createHmac('sha256', CONSUMER_SECRET).update('Zm9vYmFy-crc-1795946553').digest('base64')}`;
      expect(await res.json()).toEqual({ response_token: expected });
      expect((await fetch(`${running!.url}${WEBHOOK_PATH}`)).status).toBe(400);
    });

    it('refuses a bad or missing signature with 401 and emits nothing from it', async () => {
      const forged = JSON.stringify({ ...fixture('webhook-tweet-create.json'), tweet_create_events: [mention('1861000000000000030', 'forged-marker')] });
      expect((await postWebhook(forged, sign(forged, 'not-the-consumer-secret'))).status).toBe(401);
      expect((await postWebhook(forged, null)).status).toBe(401);
      expect((await postWebhook(forged, sign(`${forged} `))).status).toBe(401);
      // A later good delivery arrives; the forged one never does.
      const good = JSON.stringify({ for_user_id: HELP_ID, tweet_create_events: [mention('1861000000000000031', 'genuine-marker')] });
      expect((await postWebhook(good)).status).toBe(200);
      const messages = await inboundUntil((ms) => ms.some((m) => m.text.includes('genuine-marker')));
      expect(messages.some((m) => m.text.includes('forged-marker'))).toBe(false);
    });

    it('emits a signed tweet_create_events delivery once, however often it is posted', async () => {
      for (let i = 0; i < 3; i++) expect((await postWebhook(tweetBody)).status).toBe(200);
      const messages = await inboundUntil((ms) => ms.some((m) => m.externalId === '1861000000000000010'));
      await new Promise((r) => setTimeout(r, 500));
      const again = (await allInbound()).filter((m) => m.externalId === '1861000000000000010');
      expect(new Set(again.map((m) => m.id))).toEqual(new Set([messageId('twitter', HELP, '1861000000000000010')]));
      expect(again).toHaveLength(1);
      expect(messages.find((m) => m.externalId === '1861000000000000010')!.attachments[0]).toMatchObject({ contentType: 'video/mp4', size: 0 });
    });

    it('ignores our own tweets from the webhook but keeps a customer who answers them in the thread', async () => {
      const res = await postWebhook(JSON.stringify(fixture('webhook-own-tweet.json')));
      expect(await res.json()).toEqual({ accepted: true, emitted: 0 });
      // Mei answers our reply 011, which answered her tweet 010.
      const answer = { ...mention('1861000000000000013', 'thanks, DM sent'), user: { id_str: '7788990011', name: 'Mei Ho', screen_name: 'mei_ho' }, in_reply_to_status_id_str: '1861000000000000011' };
      expect((await postWebhook(JSON.stringify({ for_user_id: HELP_ID, tweet_create_events: [answer] }))).status).toBe(200);
      const messages = await inboundUntil((ms) => ms.some((m) => m.externalId === '1861000000000000013'));
      expect(messages.find((m) => m.externalId === '1861000000000000013')!.conversationKey).toBe('tweet:acmewallethelp:1861000000000000010');
      expect(messages.some((m) => m.externalId === '1861000000000000011')).toBe(false);
    });

    it('gives a tweet seen by webhook and by polling one message, in either order', async () => {
      // Webhook first (above), then the same tweet shows up in mentions_timeline.
      help.mentions.push(fixture('mention-extended.json'));
      await eventually(() => fake.requestsTo('statuses/mentions_timeline').some((r) => r.query.get('since_id') === '1861000000000000010'), 10_000, 'the poll took the tweet');
      // Polling first, then the webhook delivers it.
      const polledFirst = mention('1861000000000000040', 'polled-first-marker');
      help.mentions.push(polledFirst);
      await inboundUntil((ms) => ms.some((m) => m.externalId === '1861000000000000040'));
      const { full_text: fullText, ...compat } = polledFirst;
      expect((await postWebhook(JSON.stringify({ for_user_id: HELP_ID, tweet_create_events: [{ ...compat, text: fullText }] }))).status).toBe(200);
      await new Promise((r) => setTimeout(r, 800));
      const all = await allInbound();
      for (const id of ['1861000000000000010', '1861000000000000040']) {
        const copies = all.filter((m) => m.externalId === id);
        expect(copies.length, id).toBeGreaterThanOrEqual(1);
        expect(new Set(copies.map((m) => m.id)).size, id).toBe(1);
      }
    });

    it('emits webhook DMs with the sender from users, ignoring our own', async () => {
      const hook = fixture('webhook-direct-message.json');
      expect((await postWebhook(JSON.stringify(hook))).status).toBe(200);
      const messages = await inboundUntil((ms) => ms.some((m) => m.externalId === 'dm:1861000000000001006'));
      expect(messages.find((m) => m.externalId === 'dm:1861000000000001006')).toMatchObject({
        sender: { id: '7788990011', name: 'Mei Ho', address: '@mei_ho' },
        conversationKey: 'dm:acmewallethelp:7788990011',
      });
      expect(messages.some((m) => m.externalId === 'dm:1861000000000001007')).toBe(false);
    });

    it('dead-letters signed deliveries it cannot use instead of losing them', async () => {
      expect((await postWebhook('{"for_user_id": "1050118621198921728", "tweet_create_events": [')).status).toBe(200);
      expect((await postWebhook(JSON.stringify({ for_user_id: '42', tweet_create_events: [mention('1861000000000000050', 'stranger')] }))).status).toBe(200);
      const broken = { for_user_id: HELP_ID, tweet_create_events: [{ id_str: '1861000000000000051', full_text: 'no user object' }] };
      // Twice: the broken tweet is kept once.
      expect((await postWebhook(JSON.stringify(broken))).status).toBe(200);
      expect((await postWebhook(JSON.stringify(broken))).status).toBe(200);
      await readTopic(env.kafka, env.topics.dlq, (rs) => rs.length >= 3);
      await new Promise((r) => setTimeout(r, 500));
      const reasons = (await readAll(env.kafka, env.topics.dlq)).map((r) => DeadLetter.parse(JSON.parse(r.value)).reason);
      expect(reasons).toEqual(expect.arrayContaining([expect.stringMatching(/not a JSON object/), expect.stringMatching(/for_user_id "42"/), expect.stringMatching(/not a v1.1 tweet.*user/)]));
      expect(reasons.filter((r) => /not a v1.1 tweet/.test(r))).toHaveLength(1);
    });
  });

  describe('twitter outbound', () => {
    const outbound = (overrides: Partial<OutboundMessageInput>): OutboundMessage =>
      OutboundMessage.parse({
        schemaVersion: 1,
        id: `out-${Math.random().toString(36).slice(2)}`,
        kind: 'reply',
        ticketId: 't-1',
        ticketNumber: 'SB-000001',
        channel: 'twitter',
        account: HELP,
        conversationKey: 'tweet:acmewallethelp:1861000000000000001',
        recipient: { id: '2244994945', address: '@annlee_codes' },
        inReplyTo: { messageId: messageId('twitter', HELP, '1861000000000000001'), externalId: '1861000000000000001' },
        text: 'We are looking into it.',
        createdAt: new Date().toISOString(),
        ...overrides,
      });

    it('sends a DM with direct_messages/events/new', async () => {
      const result = await running!.connector.send(outbound({ public: false, text: 'Hi Ann, your top-up is released. 你的充值已到账。' }));
      const sent = fake.sentDirectMessages.at(-1)!;
      expect(sent).toMatchObject({ from: HELP_ID, recipientId: '2244994945', text: 'Hi Ann, your top-up is released. 你的充值已到账。' });
      expect(result).toEqual({ externalId: sent.id });
    });

    it('sends a public reply with statuses/update in reply to the tweet', async () => {
      const result = await running!.connector.send(outbound({ public: true, text: 'Sorry for the wait! Fixed now, please check your DMs.' }));
      const sent = fake.sentTweets.at(-1)!;
      expect(sent).toMatchObject({ from: HELP_ID, status: 'Sorry for the wait! Fixed now, please check your DMs.', inReplyTo: '1861000000000000001', autoPopulate: 'true' });
      expect(result).toEqual({ externalId: sent.id });
    });

    it('refuses public replies with masked content or over 280 characters, and the host reports them failed', async () => {
      const tweets = fake.sentTweets.length;
      await expect(running!.connector.send(outbound({ public: true, text: 'Your card [card ****1234] is blocked' }))).rejects.toThrow(OutboundRefusedError);
      await expect(running!.connector.send(outbound({ public: true, text: 'Enter [code] in the app' }))).rejects.toThrow(/masked/);
      await expect(running!.connector.send(outbound({ public: true, text: 'x'.repeat(281) }))).rejects.toThrow(/281 characters/);
      expect(fake.sentTweets).toHaveLength(tweets);

      const message = outbound({ public: true, text: 'Your card [card ****9876] was refunded' });
      await producer.sendJson(env.topics.outbound, [{ key: message.conversationKey, value: message }]);
      const reports = await readTopic(env.kafka, env.topics.delivery, (rs) => rs.some((r) => r.value.includes(message.id)), 30_000);
      const report = DeliveryReport.parse(JSON.parse(reports.find((r) => r.value.includes(message.id))!.value));
      expect(report).toMatchObject({ status: 'failed', reason: expect.stringMatching(/masked/) });
      expect(fake.sentTweets).toHaveLength(tweets);
    }, 40_000);
  });

  describe('twitter webhook only', () => {
    it('with polling off, never polls, is ready once the account is known, and takes webhooks', async () => {
      const PAY_ID = '1050118621198921777';
      const pay = { token: 'pay-token-1050118621198921777-zZ', secret: 'pay-token-secret-0a9b8c7d6e' };
      fake.addAccount({ id_str: PAY_ID, screen_name: 'AcmePay', name: 'Acme Pay' }, pay.token, pay.secret);
      const connector = new TwitterConnector(v1Config({ accounts: [{ auth: oauth1(pay) }], pollIntervalMs: 0 }));
      // The context alone (no outbound consumer): the main connector's outbound group is running.
      const abort = new AbortController();
      await connector.start(createContext(connector, { kafka: env.kafka, producer, topics: env.topics, checkpoints: running!.checkpoints, dataDir: mkdtempSync(join(tmpdir(), 'sb-twitter-')) }, abort.signal));
      const http = new HttpServer();
      http.mount(connector.routes);
      const url = await http.listen();
      try {
        await eventually(() => connector.health().ready, 5_000, 'ready');
        expect(connector.health().status).toMatch(/^@acmepay: webhook only · today/);
        const body = JSON.stringify({ for_user_id: PAY_ID, tweet_create_events: [mention('1861000000000000070', 'webhook-only-marker', { id: PAY_ID, screenName: 'AcmePay' })] });
        const res = await fetch(`${url}${WEBHOOK_PATH}`, { method: 'POST', body, headers: { 'x-twitter-webhooks-signature': sign(body) } });
        expect(res.status).toBe(200);
        const messages = await inboundUntil((ms) => ms.some((m) => m.text.includes('webhook-only-marker')));
        expect(messages.find((m) => m.text.includes('webhook-only-marker'))).toMatchObject({ account: 'acmepay', externalId: '1861000000000000070' });
        expect(fake.requests.filter((r) => r.userId === PAY_ID).map((r) => r.path)).toEqual(['/1.1/account/verify_credentials.json']);
      } finally {
        await http.close();
        abort.abort();
        await connector.stop();
      }
    });
  });

  describe('twitter restart', () => {
    it('resumes from the checkpoints: only new mentions are emitted, with since_id', async () => {
      const sinceId = checkpointsOf().namespace('twitter').get(HELP, 'mentions')?.sinceId as string;
      expect(sinceId).toBe('1861000000000000040');
      const before = await allInbound();
      await stopConnector();
      const requestsBefore = fake.requests.length;
      help.mentions.push(mention('1861000000000000060', 'after-restart-one'), mention('1861000000000000061', 'after-restart-two'));
      await startConnector();
      await inboundUntil((ms) => ms.filter((m) => m.text.includes('after-restart')).length >= 2);
      const firstPoll = fake.requests.slice(requestsBefore).find((r) => r.path.endsWith('statuses/mentions_timeline.json') && r.userId === HELP_ID)!;
      expect(firstPoll.query.get('since_id')).toBe(sinceId);
      await new Promise((r) => setTimeout(r, 800));
      const final = await allInbound();
      // Nothing read before the restart was emitted again: the only new records are the new mentions.
      const counts = (ms: InboundMessage[]) => ms.reduce((m, x) => m.set(x.externalId, (m.get(x.externalId) ?? 0) + 1), new Map<string, number>());
      const beforeCounts = counts(before);
      const added = [...counts(final)].flatMap(([id, n]) => Array<string>(n - (beforeCounts.get(id) ?? 0)).fill(id));
      expect(added.sort()).toEqual(['1861000000000000060', '1861000000000000061']);
    });
  });
});
