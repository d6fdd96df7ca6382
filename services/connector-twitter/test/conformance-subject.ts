import { createHmac } from 'node:crypto';
import { expect } from 'vitest';
import type { ConformanceSubject } from '@switchboard/connector-sdk/conformance';
import { HttpServer } from '@switchboard/http';
import { TwitterConnector, WEBHOOK_PATH } from '../src/index.ts';
import { DEFAULT_PRICES } from '../src/prices.ts';
import { FakeX, X_CLIENT_ID, X_CLIENT_SECRET, X_CONSUMER_SECRET, conversationOf } from './fake-x.ts';

const OUR_ID = '1050118621198921728';
const CUSTOMER = { id: '2244994945', name: 'Ann Lee', username: 'annlee_codes' };

const fake = new FakeX();
const account = fake.addAccount({ id: OUR_ID, name: 'Acme Wallet Help', username: 'AcmeWalletHelp' }, { refreshToken: 'conformance-refresh-token-0' });
fake.users.set(CUSTOMER.id, CUSTOMER);
const http = new HttpServer();
let webhookUrl = '';
const delivered = new Map<string, { id: string; text: string }>();

/**
 * The conformance kit's view of the X connector on v2 with an OAuth 2.0 account: deliver = a new
 * mention in the fake's `GET /2/users/:id/mentions`, redeliver = the same post pushed by a signed
 * Account Activity webhook (in its v1.1 shape, as X delivers it).
 */
export const twitterConformance: ConformanceSubject<TwitterConnector> = {
  name: 'twitter (X API v2)',
  setup: async () => {
    await fake.start();
    // Mentions allow 300 calls per 15 minutes: the connector would spread them 3 s apart; the kit polls faster.
    fake.setWindow('GET users/:id/mentions', 100_000, Math.floor(Date.now() / 1000) + 900);
    webhookUrl = `${await http.listen()}${WEBHOOK_PATH}`;
  },
  teardown: async () => {
    await http.close();
    await fake.stop();
  },
  create: () => {
    const connector = new TwitterConnector({
      api: 'v2',
      consumerSecret: X_CONSUMER_SECRET,
      clientId: X_CLIENT_ID,
      clientSecret: X_CLIENT_SECRET,
      accounts: [{ auth: { kind: 'oauth2', refreshToken: 'conformance-refresh-token-0' } }],
      apiBase: fake.root,
      pollIntervalMs: 150,
      prices: DEFAULT_PRICES,
      backoff: { initialMs: 100, maxMs: 1_000 },
      timeoutMs: 5_000,
    });
    http.mount(connector.routes);
    return connector;
  },
  deliver: async (_connector, marker) => {
    const id = fake.newId();
    const text = `@AcmeWalletHelp where is my refund? ${marker}`;
    delivered.set(marker, { id, text });
    account.mentions.push({ id, text, author_id: CUSTOMER.id, conversation_id: id, created_at: new Date().toISOString(), lang: 'en', entities: { mentions: [{ start: 0, end: 15, username: 'AcmeWalletHelp', id: OUR_ID }] } });
  },
  redeliver: async (_connector, marker) => {
    const { id, text } = delivered.get(marker)!;
    const tweet = { id_str: id, created_at: new Date().toUTCString(), text, user: { id_str: CUSTOMER.id, name: CUSTOMER.name, screen_name: CUSTOMER.username }, entities: { user_mentions: [{ screen_name: 'AcmeWalletHelp', id_str: OUR_ID }] } };
    const body = JSON.stringify({ for_user_id: OUR_ID, tweet_create_events: [tweet] });
    const signature = `sha256=${createHmac('sha256', X_CONSUMER_SECRET).update(body).digest('base64')}`;
    const res = await fetch(webhookUrl, { method: 'POST', body, headers: { 'content-type': 'application/json', 'x-twitter-webhooks-signature': signature } });
    expect(res.status).toBe(200);
  },
  outbound: {
    message: (base) => ({
      ...base,
      channel: 'twitter',
      account: 'acmewallethelp',
      conversationKey: `dm:acmewallethelp:${CUSTOMER.id}`,
      recipient: { id: CUSTOMER.id, address: '@annlee_codes' },
      public: false,
      text: 'replaced by the kit',
    }),
    received: async (text) => fake.sentDms.some((dm) => dm.conversationId === conversationOf(OUR_ID, CUSTOMER.id) && dm.text === text),
  },
};
