import { createHmac } from 'node:crypto';
import { expect } from 'vitest';
import type { ConformanceSubject } from '@switchboard/connector-sdk/conformance';
import { HttpServer } from '@switchboard/http';
import { TwitterConnector, WEBHOOK_PATH } from '../src/index.ts';
import { CONSUMER_KEY, CONSUMER_SECRET, FakeTwitter, fixture } from './fake-twitter.ts';

const OUR_ID = '1050118621198921728';
const CUSTOMER_ID = '2244994945';
const token = { token: 'conformance-token-1050118621198921728', secret: 'conformance-token-secret-5e6f7a' };

const fake = new FakeTwitter();
const account = fake.addAccount({ id_str: OUR_ID, screen_name: 'AcmeWalletHelp', name: 'Acme Wallet Help' }, token.token, token.secret);
const http = new HttpServer();
let webhookUrl = '';
let nextId = 1863000000000000000n;
const delivered = new Map<string, Record<string, unknown>>();

/** A customer's mention carrying `marker`, as mentions_timeline returns it with tweet_mode=extended. */
function mentionWith(marker: string): Record<string, unknown> {
  const template = fixture('mentions-timeline.json').find((t: { id_str: string }) => t.id_str === '1861000000000000001');
  nextId += 1n;
  return { ...template, id: Number(nextId), id_str: nextId.toString(), full_text: `@AcmeWalletHelp where is my refund? ${marker}` };
}

/**
 * The conformance kit's view of the Twitter connector: deliver = a new mention in the fake API's
 * mentions_timeline, redeliver = the same tweet pushed by a signed Account Activity webhook.
 * Run from connector.test.ts: both suites host a connector named "twitter", whose outbound consumer
 * group is named after the connector alone, so they must not run in two processes at once.
 */
export const twitterConformance: ConformanceSubject<TwitterConnector> = {
  name: 'twitter',
  setup: async () => {
    await fake.start();
    webhookUrl = `${await http.listen()}${WEBHOOK_PATH}`;
  },
  teardown: async () => {
    await http.close();
    await fake.stop();
  },
  create: () => {
    const connector = new TwitterConnector({
      consumerKey: CONSUMER_KEY,
      consumerSecret: CONSUMER_SECRET,
      accounts: [{ handle: 'acmewallethelp', userId: OUR_ID, accessToken: token.token, accessTokenSecret: token.secret }],
      apiBase: fake.base,
      pollIntervalMs: 150,
      backoff: { initialMs: 100, maxMs: 1_000 },
      timeoutMs: 5_000,
    });
    http.mount(connector.routes);
    return connector;
  },
  // The customer tweets at us: the poller finds it in mentions_timeline.
  deliver: async (_connector, marker) => {
    const tweet = mentionWith(marker);
    delivered.set(marker, tweet);
    account.mentions.push(tweet);
  },
  // The same tweet again, pushed by the Account Activity webhook.
  redeliver: async (_connector, marker) => {
    const body = JSON.stringify({ for_user_id: OUR_ID, tweet_create_events: [delivered.get(marker)] });
    const signature = `sha256=${createHmac('sha256', CONSUMER_SECRET).update(body).digest('base64')}`;
    const res = await fetch(webhookUrl, { method: 'POST', body, headers: { 'content-type': 'application/json', 'x-twitter-webhooks-signature': signature } });
    expect(res.status).toBe(200);
  },
  outbound: {
    message: (base) => ({
      ...base,
      channel: 'twitter',
      account: 'acmewallethelp',
      conversationKey: `dm:acmewallethelp:${CUSTOMER_ID}`,
      recipient: { id: CUSTOMER_ID, address: '@annlee_codes' },
      public: false,
      text: 'replaced by the kit',
    }),
    received: async (text) => fake.sentDirectMessages.some((dm) => dm.recipientId === CUSTOMER_ID && dm.text === text),
  },
};
