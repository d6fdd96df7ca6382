import { createHmac } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hostConnector, type HostedConnector } from '@switchboard/connector-sdk';
import { connectorConformance } from '@switchboard/connector-sdk/conformance';
import { HttpServer } from '@switchboard/http';
import { BatchingProducer, CheckpointStore } from '@switchboard/kafka';
import { renderMetrics } from '@switchboard/runtime';
import { InboundMessage, OutboundMessage, messageId } from '@switchboard/schema';
import { eventually, kafkaForTest, readTopic } from '@switchboard/testkit';
import { TwitterConnector, WEBHOOK_PATH, type TwitterConfig } from '../src/index.ts';
import { DEFAULT_PRICES } from '../src/prices.ts';
import { twitterConformance } from './conformance-subject.ts';
import { FakeX, X_APP_BEARER, X_CLIENT_ID, X_CLIENT_SECRET, X_CONSUMER_KEY, X_CONSUMER_SECRET, conversationOf } from './fake-x.ts';

connectorConformance(twitterConformance);

const HELP = { id: '1050118621198921728', name: 'Acme Wallet Help', username: 'AcmeWalletHelp' };
const CN = { id: '1050118621198921999', name: 'Acme 钱包客服', username: 'AcmeWalletCN' };
const ANN = { id: '2244994945', name: 'Ann Lee', username: 'annlee_codes' };
const MEI = { id: '7788990011', name: 'Mei Ho', username: 'mei_ho' };
const HELP_KEYS = { token: 'help-token-1050118621198921728-aXk', secret: 'help-token-secret-9f8e7d6c5b4a' };
const CN_SEED = 'cn-refresh-token-seed-Zx81';

const fake = new FakeX();
const help = fake.addAccount(HELP, { oauth1: HELP_KEYS });
const cn = fake.addAccount(CN, { refreshToken: CN_SEED });
for (const user of [ANN, MEI]) fake.users.set(user.id, user);

let env: Awaited<ReturnType<typeof kafkaForTest>>;
let producer: BatchingProducer;
let running: { connector: TwitterConnector; hosted: HostedConnector; http: HttpServer; url: string; checkpoints: CheckpointStore } | undefined;

function config(overrides: Partial<TwitterConfig> = {}): TwitterConfig {
  return {
    api: 'v2',
    consumerKey: X_CONSUMER_KEY,
    consumerSecret: X_CONSUMER_SECRET,
    clientId: X_CLIENT_ID,
    clientSecret: X_CLIENT_SECRET,
    accounts: [
      { handle: 'acmewallethelp', userId: HELP.id, auth: { kind: 'oauth1', accessToken: HELP_KEYS.token, accessTokenSecret: HELP_KEYS.secret } },
      { auth: { kind: 'oauth2', refreshToken: CN_SEED } },
    ],
    apiBase: fake.root,
    pollIntervalMs: 150,
    prices: DEFAULT_PRICES,
    webhook: { id: fake.webhooks[0]!.id, bearerToken: X_APP_BEARER },
    backoff: { initialMs: 100, maxMs: 500 },
    timeoutMs: 5_000,
    ...overrides,
  };
}

async function startConnector(overrides: Partial<TwitterConfig> = {}) {
  const connector = new TwitterConnector(config(overrides));
  const checkpoints = await CheckpointStore.load(env.kafka, producer, env.topics.checkpoints);
  const hosted = await hostConnector(connector, { kafka: env.kafka, producer, topics: env.topics, checkpoints, dataDir: mkdtempSync(join(tmpdir(), 'sb-x-')) });
  const http = new HttpServer();
  http.mount(connector.routes);
  running = { connector, hosted, http, url: await http.listen(), checkpoints };
  return running;
}

async function stopConnector() {
  await running?.http.close();
  await running?.hosted.stop();
  running = undefined;
}

const parse = (value: string) => InboundMessage.parse(JSON.parse(value));
const inboundUntil = async (done: (ms: InboundMessage[]) => boolean, timeoutMs = 20_000) =>
  (await readTopic(env.kafka, env.topics.inbound, (rs) => done(rs.map((r) => parse(r.value))), timeoutMs)).map((r) => parse(r.value));
const byExternal = (ms: InboundMessage[], id: string) => ms.find((m) => m.externalId === id);
const now = () => new Date().toISOString();
const sign = (body: string) => `sha256=${createHmac('sha256', X_CONSUMER_SECRET).update(body).digest('base64')}`;
const postWebhook = (body: string) => fetch(`${running!.url}${WEBHOOK_PATH}`, { method: 'POST', body, headers: { 'content-type': 'application/json', 'x-twitter-webhooks-signature': sign(body) } });

/** A post mentioning `to`, as `GET /2/users/:id/mentions` returns it with the connector's fields. */
function mention(id: string, text: string, extra: Record<string, unknown> = {}, to = HELP) {
  return { id, text: `@${to.username} ${text}`, author_id: ANN.id, conversation_id: id, created_at: now(), lang: 'en', entities: { mentions: [{ start: 0, end: to.username.length + 1, username: to.username, id: to.id }] }, ...extra };
}

function dmEvent(id: string, from: typeof ANN, text: string, to = HELP) {
  return { id, event_type: 'MessageCreate', text, sender_id: from.id, dm_conversation_id: conversationOf(from.id, to.id), created_at: now() };
}

describe('twitter connector on X API v2', () => {
  beforeAll(async () => {
    fake.pageSize = 2;
    await fake.start();
    // DMs allow 15 calls per 15 minutes: the connector would poll them once a minute; the test polls faster.
    fake.setWindow('GET dm_events', 100_000, Math.floor(Date.now() / 1000) + 900);
    // A webhook X marked invalid while we were down, and a last sign of life an hour ago: upkeep must revalidate and replay.
    fake.webhooks[0]!.valid = false;
    env = await kafkaForTest();
    producer = new BatchingProducer(env.kafka);
    await producer.connect();
    const checkpoints = await CheckpointStore.load(env.kafka, producer, env.topics.checkpoints);
    await checkpoints.namespace('twitter').save('(app)', 'webhook', { aliveAt: new Date(Date.now() - 3_600_000).toISOString() });
    help.mentions.push(mention('1861000000000000001', 'backfill one'), mention('1861000000000000002', 'backfill two'), mention('1861000000000000003', 'backfill three'));
    await startConnector();
  }, 60_000);

  afterAll(async () => {
    await stopConnector().catch(() => undefined);
    await producer?.disconnect().catch(() => undefined);
    await fake.stop();
  }, 30_000);

  it('asks X to check the webhook again and to replay the hour it was down', async () => {
    await eventually(() => fake.replayJobs.length === 1, 10_000, 'a replay job');
    expect(fake.webhooks[0]!.valid).toBe(true);
    const job = fake.replayJobs[0]!;
    expect(job.webhook_id).toBe(fake.webhooks[0]!.id);
    const from = Date.UTC(+job.from_date.slice(0, 4), +job.from_date.slice(4, 6) - 1, +job.from_date.slice(6, 8), +job.from_date.slice(8, 10), +job.from_date.slice(10, 12));
    expect(Math.abs(from - (Date.now() - 3_600_000 - 120_000))).toBeLessThan(180_000);
    expect(running!.connector.health().details).toMatchObject({ webhook: { validated: true, replay: { jobId: expect.any(String) } } });
  });

  it('first takes the newest page of mentions, then drains every page since since_id before checkpointing the newest', async () => {
    await eventually(() => running!.checkpoints.namespace('twitter').get('acmewallethelp', 'mentions')?.sinceId === '1861000000000000003', 10_000, 'backfill checkpoint');
    const first = await inboundUntil((ms) => ms.some((m) => m.externalId === '1861000000000000003'));
    expect(byExternal(first, '1861000000000000001')).toBeUndefined();
    help.mentions.push(
      mention('1861000000000000011', 'my card was charged twice'),
      mention('1861000000000000012', 'still waiting', { conversation_id: '1861000000000000011', referenced_tweets: [{ type: 'replied_to', id: '1861000000000000011' }] }),
      mention('1861000000000000013', 'x'.repeat(270), { note_tweet: { text: `@AcmeWalletHelp ${'long story '.repeat(40)}the end https://t.co/abc`, entities: { urls: [{ url: 'https://t.co/abc', expanded_url: 'https://help.acme.example/faq' }] } } }),
      mention('1861000000000000014', 'RT @someone: acme is down', { referenced_tweets: [{ type: 'retweeted', id: '1861000000000000001' }] }),
      { ...mention('1861000000000000015', 'our own post'), author_id: HELP.id },
    );
    const messages = await inboundUntil((ms) => ['1861000000000000011', '1861000000000000012', '1861000000000000013'].every((id) => ms.some((m) => m.externalId === id)));
    const pages = fake.requestsTo('GET users/:id/mentions').filter((r) => r.query.get('since_id') === '1861000000000000003');
    expect(pages.some((r) => r.query.has('pagination_token'))).toBe(true);
    expect(pages[0]!.query.get('expansions')).toBe('author_id,referenced_tweets.id,attachments.media_keys');
    expect(pages[0]!.query.get('tweet.fields')).toMatch(/^conversation_id,created_at,entities,lang,note_tweet/);
    expect(byExternal(messages, '1861000000000000012')).toMatchObject({ conversationKey: 'tweet:acmewallethelp:1861000000000000011', sender: { id: ANN.id, name: 'Ann Lee', address: '@annlee_codes' } });
    expect(byExternal(messages, '1861000000000000013')!.text).toMatch(/^long story .*the end https:\/\/help\.acme\.example\/faq$/);
    expect(messages.some((m) => ['1861000000000000014', '1861000000000000015'].includes(m.externalId))).toBe(false);
    await eventually(() => running!.checkpoints.namespace('twitter').get('acmewallethelp', 'mentions')?.sinceId === '1861000000000000015', 10_000, 'newest id checkpointed');
  });

  it('refreshes an OAuth 2.0 account, keeps the rotated token in the checkpoint topic sealed, and survives expiry', async () => {
    cn.mentions.push(mention('1861000000000000100', '请问提现要多久到账？', {}, CN));
    const messages = await inboundUntil((ms) => ms.some((m) => m.externalId === '1861000000000000100'));
    expect(byExternal(messages, '1861000000000000100')).toMatchObject({ account: 'acmewalletcn', text: '请问提现要多久到账？' });
    expect(fake.refreshTokens.has(CN_SEED)).toBe(false);
    const stored = [...fake.refreshTokens.keys()];
    const key = (await import('@switchboard/runtime')).sha256Hex(CN_SEED).slice(0, 16);
    const position = running!.checkpoints.namespace('twitter').get(`oauth2-${key}`, 'oauth2');
    expect(position?.sealed).toEqual(expect.any(String));
    for (const token of stored) expect(JSON.stringify(position)).not.toContain(token);
    // Two hours pass: the next call gets 401, the connector refreshes once and carries on.
    const refreshes = fake.requestsTo('POST oauth2/token').length;
    fake.expireAccessTokens();
    cn.mentions.push(mention('1861000000000000101', 'after expiry', {}, CN));
    await inboundUntil((ms) => ms.some((m) => m.externalId === '1861000000000000101'));
    expect(fake.requestsTo('POST oauth2/token').length).toBe(refreshes + 1);
  });

  it('pages DM events newest first until the last stored one, emits them oldest first, one conversation per pair', async () => {
    await eventually(() => running!.checkpoints.namespace('twitter').get('acmewallethelp', 'dms')?.lastEventId === '0', 10_000, 'DM baseline');
    help.dmEvents.push(dmEvent('1861000000000001001', ANN, 'hi, my top-up failed'), dmEvent('1861000000000001002', HELP, 'sorry! checking'), dmEvent('1861000000000001003', MEI, 'is the app down?'), dmEvent('1861000000000001004', ANN, 'still failing'), dmEvent('1861000000000001005', MEI, 'ok now'));
    const before = fake.requestsTo('GET dm_events').length;
    const messages = await inboundUntil((ms) => ['1861000000000001001', '1861000000000001003', '1861000000000001004', '1861000000000001005'].every((id) => ms.some((m) => m.externalId === `dm:${id}`)));
    const dms = messages.filter((m) => m.meta.kind === 'dm' && m.account === 'acmewallethelp');
    expect(dms.map((m) => m.externalId).sort()).toEqual(['dm:1861000000000001001', 'dm:1861000000000001003', 'dm:1861000000000001004', 'dm:1861000000000001005']);
    expect(byExternal(dms, 'dm:1861000000000001003')).toMatchObject({ conversationKey: 'dm:acmewallethelp:7788990011', sender: { id: MEI.id, name: 'Mei Ho', address: '@mei_ho' } });
    expect(fake.requestsTo('GET dm_events').slice(before).some((r) => r.query.has('pagination_token'))).toBe(true);
    await eventually(() => running!.checkpoints.namespace('twitter').get('acmewallethelp', 'dms')?.lastEventId === '1861000000000001005', 10_000, 'DM checkpoint');
    // Caught up: one page is enough, its newest event is the checkpoint.
    const caughtUp = fake.requestsTo('GET dm_events').length;
    await eventually(() => fake.requestsTo('GET dm_events').length >= caughtUp + 3, 10_000, 'more DM polls');
    expect(fake.requestsTo('GET dm_events').slice(caughtUp).every((r) => !r.query.has('pagination_token'))).toBe(true);
  });

  it('waits for x-rate-limit-reset after a 429 (no Retry-After) and when a window is used up', async () => {
    const resetAt = Math.floor(Date.now() / 1000) + 2;
    fake.setWindow('GET dm_events', 0, resetAt);
    const before = fake.requestsTo('GET dm_events').length;
    await eventually(() => /rate limited on GET 2\/dm_events/.test(running!.connector.health().status), 5_000, 'rate-limited health');
    expect(running!.connector.health().ready).toBe(false);
    const next = await eventually(() => fake.requestsTo('GET dm_events').slice(before).find((r) => r.at >= resetAt * 1000 - 5), 8_000, 'a call after the reset');
    expect(next.at).toBeGreaterThanOrEqual(resetAt * 1000 - 5);
    await eventually(() => running!.connector.health().ready, 10_000, 'ready again');
  });

  it('looks a pushed reply or truncated tweet up in v2 and deduplicates deliveries by account and event id', async () => {
    help.mentions.push(mention('1861000000000000021', 'root post'), mention('1861000000000000022', `${'cut short '.repeat(30)}`, { conversation_id: '1861000000000000021', note_tweet: { text: `@AcmeWalletHelp ${'cut short '.repeat(30)}and the rest` } }));
    const pushed = { id_str: '1861000000000000022', truncated: true, text: '@AcmeWalletHelp cut short cut short… https://t.co/web', in_reply_to_status_id_str: '1861000000000000021', user: { id_str: ANN.id, screen_name: ANN.username, name: ANN.name }, entities: { urls: [{ url: 'https://t.co/web', expanded_url: 'https://twitter.com/i/web/status/1861000000000000022' }], user_mentions: [{ screen_name: 'AcmeWalletHelp', id_str: HELP.id }] } };
    const body = JSON.stringify({ for_user_id: HELP.id, tweet_create_events: [pushed] });
    for (let i = 0; i < 2; i++) expect((await postWebhook(body)).status).toBe(200);
    const messages = await inboundUntil((ms) => ms.some((m) => m.externalId === '1861000000000000022'));
    expect(byExternal(messages, '1861000000000000022')).toMatchObject({ conversationKey: 'tweet:acmewallethelp:1861000000000000021', text: expect.stringMatching(/and the rest$/) });
    expect(fake.requestsTo('GET tweets').filter((r) => r.query.get('ids') === '1861000000000000022')).toHaveLength(1);
  });

  it('sends DMs and public replies with the v2 endpoints, counted as writes', async () => {
    const outbound = (overrides: Record<string, unknown>) =>
      OutboundMessage.parse({ schemaVersion: 1, id: `out-${Math.random()}`, kind: 'reply', ticketId: 't-1', ticketNumber: 'SB-000001', channel: 'twitter', account: 'acmewallethelp', conversationKey: 'dm:acmewallethelp:2244994945', recipient: { id: ANN.id }, inReplyTo: { messageId: messageId('twitter', 'acmewallethelp', '1861000000000000011'), externalId: '1861000000000000011' }, text: 'We are on it.', createdAt: now(), ...overrides });
    const dm = await running!.connector.send(outbound({ public: false, text: 'Hi Ann, your top-up is released. 你的充值已到账。' }));
    expect(fake.sentDms.at(-1)).toMatchObject({ from: HELP.id, conversationId: conversationOf(HELP.id, ANN.id), id: dm.externalId });
    const reply = await running!.connector.send(outbound({ public: true, conversationKey: 'tweet:acmewallethelp:1861000000000000011', text: 'Sorry for the wait! Fixed now.' }));
    expect(fake.sentPosts.at(-1)).toMatchObject({ from: HELP.id, inReplyTo: '1861000000000000011', id: reply.externalId });
    await expect(running!.connector.send(outbound({ public: true, text: 'Your card [card ****1234] is blocked' }))).rejects.toThrow(/masked/);
    const usage = running!.connector.health().details!.usage as { writes: Record<string, number>; reads: Record<string, number> };
    expect(usage.writes).toMatchObject({ dm_create: 1, post_create: 1 });
    expect(usage.reads.post_read).toBeGreaterThan(0);
    const metrics = await renderMetrics();
    expect(metrics).toMatch(/switchboard_connector_billable_units_total\{connector="twitter",account="acmewallethelp",resource="dm_create"\} [1-9]\d*$/m);
    expect(metrics).toMatch(/switchboard_connector_spend_usd_total\{connector="twitter",account="acmewallethelp"\} [0-9.]+/);
  });

  it('pauses polling when the daily budget is spent and says so in health', async () => {
    await stopConnector();
    await startConnector({ dailyBudgetUsd: 0.001, pollIntervalMs: 150 });
    help.mentions.push(mention('1861000000000000031', 'over budget one'), mention('1861000000000000032', 'over budget two'));
    await eventually(() => /polling paused until \d{4}-\d\d-\d\dT00:00:00\.000Z: daily budget of \$0\.001 reached/.test(running!.connector.health().status), 15_000, 'paused health');
    expect(running!.connector.health().ready).toBe(false);
    const calls = fake.requestsTo('GET users/:id/mentions').length;
    await new Promise((r) => setTimeout(r, 1_000));
    expect(fake.requestsTo('GET users/:id/mentions').length).toBe(calls);
  });
});
