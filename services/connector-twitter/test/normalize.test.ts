import { describe, expect, it } from 'vitest';
import { InboundMessage, messageId } from '@switchboard/schema';
import { ConfigError } from '@switchboard/runtime';
import { DirectMessageEvent, Tweet, normalizeDirectMessage, normalizeTweet, stripLeadingOwnMention, type Normalized, type OwnAccount } from '../src/normalize.ts';
import { ThreadIndex } from '../src/threads.ts';
import { assertPublicReplyAllowed, containsMaskedContent, OutboundRefusedError, weightedTweetLength } from '../src/outbound.ts';
import { twitterConfigFromEnv } from '../src/config.ts';
import { fixture } from './fake-twitter.ts';

const own: OwnAccount = { handle: 'acmewallethelp', userId: '1050118621198921728' };
const receivedAt = new Date('2026-11-24T12:00:00.000Z');
const timeline = fixture<unknown[]>('mentions-timeline.json').map((t) => Tweet.parse(t));
const byId = (id: string) => timeline.find((t) => t.id_str === id)!;

function messageOf(result: Normalized) {
  if ('ignored' in result) throw new Error(`ignored: ${result.ignored}`);
  return InboundMessage.parse(result.message);
}

describe('normalizeTweet', () => {
  it('takes the full text of an extended tweet, drops our leading mention, expands t.co, decodes entities', () => {
    const message = messageOf(normalizeTweet(byId('1861000000000000002'), own, { receivedAt }));
    expect(message.text).toBe(
      "@annlee_codes same here. My transfer to HSBC on 21 Nov still says processing & the money left my account already. I've tried support chat twice, no answer. Details here https://status.acme.example/incidents/2026-11-21 please look into it asap, rent is due <3",
    );
    expect(message.id).toBe(messageId('twitter', 'acmewallethelp', '1861000000000000002'));
    expect(message).toMatchObject({
      channel: 'twitter',
      account: 'acmewallethelp',
      externalId: '1861000000000000002',
      sender: { id: '6677889900', name: 'Eli Ng', address: '@eling' },
      sentAt: '2026-11-24T08:20:31.000Z',
      receivedAt: '2026-11-24T12:00:00.000Z',
      meta: { kind: 'mention', tweetId: '1861000000000000002', inReplyToStatusId: '1861000000000000001', lang: 'en' },
    });
    // Without history, a reply is keyed by the tweet it answers.
    expect(message.conversationKey).toBe('tweet:acmewallethelp:1861000000000000001');
  });

  it('ignores retweets, our own tweets and tweets not addressed to us', () => {
    expect(normalizeTweet(byId('1861000000000000005'), own)).toEqual({ ignored: 'retweet' });
    expect(normalizeTweet(byId('1861000000000000006'), own)).toEqual({ ignored: 'our own tweet' });
    const stranger = Tweet.parse({ ...fixture('mentions-timeline.json')[6], entities: { user_mentions: [] }, in_reply_to_user_id_str: null });
    expect(normalizeTweet(stranger, own)).toEqual({ ignored: 'not addressed to the account' });
  });

  it('keeps a quote tweet’s quoted text in meta.quoted', () => {
    const message = messageOf(normalizeTweet(byId('1861000000000000003'), own, { receivedAt }));
    expect(message.text).toBe('is this announcement real or a scam? https://twitter.com/fake_acme/status/1860999999999999999');
    expect(message.meta.quoted).toEqual({
      tweetId: '1860999999999999999',
      text: 'Acme Wallet is giving 500 USDT to the first 1000 users! Verify your card >> http://acme-wallet-gift.example/verify',
      user: { id: '5566778899', screenName: 'fake_acme' },
    });
  });

  it('turns extended_entities media into attachment metadata and drops the media link from the text', () => {
    const message = messageOf(normalizeTweet(byId('1861000000000000004'), own, { receivedAt }));
    expect(message.text).toBe('the app shows this error when I pay at a shop');
    expect(message.sender).toEqual({ id: '3355779911', name: '陈伟', address: '@chen_wei' });
    expect(message.attachments).toEqual([
      { name: 'GdQ8fJzWAAA1x2Y.jpg', contentType: 'image/jpeg', size: 0, url: 'https://pbs.twimg.com/media/GdQ8fJzWAAA1x2Y.jpg' },
      { name: 'GdQ8fKaXoAAbC3d.png', contentType: 'image/png', size: 0, url: 'https://pbs.twimg.com/media/GdQ8fKaXoAAbC3d.png' },
    ]);
  });

  it('normalizes a webhook tweet (compatibility mode, extended_tweet) exactly as the polled one', () => {
    const pushed = Tweet.parse(fixture('webhook-tweet-create.json').tweet_create_events[0]);
    const polled = Tweet.parse(fixture('mention-extended.json'));
    expect(pushed.text).not.toBe(polled.full_text);
    const fromWebhook = messageOf(normalizeTweet(pushed, own, { receivedAt }));
    const fromPolling = messageOf(normalizeTweet(polled, own, { receivedAt }));
    expect(fromWebhook).toEqual(fromPolling);
    expect(fromWebhook.text).toBe(
      '你好, my card was charged twice at 7-Eleven Mong Kok today (HKD 58.00 x2) & the second charge is not in my statement yet. Video of the app screen attached, see also https://help.acme.example/faq/duplicate-charges',
    );
    // The best mp4 variant of a video.
    expect(fromWebhook.attachments).toEqual([
      { name: 'high.mp4', contentType: 'video/mp4', size: 0, url: 'https://video.twimg.com/ext_tw_video/1861000000000000950/pu/vid/720x1280/high.mp4?tag=12' },
    ]);
  });

  it('keys a reply by the root of the chain it has seen, and our reply continues the customer’s thread', () => {
    const threads = new ThreadIndex();
    const root = messageOf(normalizeTweet(byId('1861000000000000001'), own, { rootOf: threads.rootOf }));
    expect(root.conversationKey).toBe('tweet:acmewallethelp:1861000000000000001');
    // Our reply 006 answers 001; the customer's 007 answers our reply: same conversation.
    threads.remember('1861000000000000006', '1861000000000000001');
    const followUp = messageOf(normalizeTweet(byId('1861000000000000007'), own, { rootOf: threads.rootOf }));
    expect(followUp.conversationKey).toBe('tweet:acmewallethelp:1861000000000000001');
    // A reply to a tweet of ours sent through the connector.
    threads.rememberReply('1862000000000000042', '1861000000000000007');
    const next = Tweet.parse({ ...fixture('mentions-timeline.json')[0], id_str: '1862000000000000050', in_reply_to_status_id_str: '1862000000000000042' });
    expect(messageOf(normalizeTweet(next, own, { rootOf: threads.rootOf })).conversationKey).toBe('tweet:acmewallethelp:1861000000000000001');
    // conversation_id, when a payload has it, wins.
    const withConversation = Tweet.parse({ ...fixture('mentions-timeline.json')[0], id_str: '1862000000000000051', conversation_id: '1860000000000000000' });
    expect(messageOf(normalizeTweet(withConversation, own, { rootOf: threads.rootOf })).conversationKey).toBe('tweet:acmewallethelp:1860000000000000000');
  });

  it('strips only our own handle from the leading mentions', () => {
    expect(stripLeadingOwnMention('@AcmeWalletHelp hi', 'acmewallethelp')).toBe('hi');
    expect(stripLeadingOwnMention('@bob @AcmeWalletHelp @acmewallethelp hi', 'acmewallethelp')).toBe('@bob hi');
    expect(stripLeadingOwnMention('hi @AcmeWalletHelp', 'acmewallethelp')).toBe('hi @AcmeWalletHelp');
    expect(stripLeadingOwnMention('@AcmeWalletHelpDesk hi', 'acmewallethelp')).toBe('@AcmeWalletHelpDesk hi');
  });
});

describe('normalizeDirectMessage', () => {
  const events = fixture<{ events: unknown[] }>('dm-events.json').events.map((e) => DirectMessageEvent.parse(e));
  const event = (id: string) => events.find((e) => e.id === id)!;

  it('normalizes a received DM: expanded links, media attachment, conversation of the customer', () => {
    const message = messageOf(normalizeDirectMessage(event('1861000000000001003'), own, { receivedAt }));
    expect(message).toMatchObject({
      id: messageId('twitter', 'acmewallethelp', 'dm:1861000000000001003'),
      externalId: 'dm:1861000000000001003',
      conversationKey: 'dm:acmewallethelp:2244994945',
      sender: { id: '2244994945' },
      text: 'here is the screenshot, see https://status.acme.example/incidents/2026-11-21',
      sentAt: '2026-11-24T10:22:00.000Z',
      meta: { kind: 'dm', dmEventId: '1861000000000001003', recipientId: '1050118621198921728' },
    });
    expect(message.attachments).toEqual([
      { name: 'Ab12Cd34.jpg', contentType: 'image/jpeg', size: 0, url: 'https://ton.twitter.com/1.1/ton/data/dm/1861000000000001003/1861000000000001900/Ab12Cd34.jpg' },
    ]);
  });

  it('ignores our own DMs and takes names from the webhook’s users', () => {
    expect(normalizeDirectMessage(event('1861000000000001002'), own)).toEqual({ ignored: 'our own direct message' });
    const hook = fixture('webhook-direct-message.json');
    const [incoming, ours] = hook.direct_message_events.map((e: unknown) => DirectMessageEvent.parse(e));
    const message = messageOf(normalizeDirectMessage(incoming, own, { users: hook.users, receivedAt }));
    expect(message.sender).toEqual({ id: '7788990011', name: 'Mei Ho', address: '@mei_ho' });
    expect(message.text).toBe('还有一个问题: can I get the refund to my HSBC account instead? https://help.acme.example/refunds');
    expect(normalizeDirectMessage(ours, own, { users: hook.users })).toEqual({ ignored: 'our own direct message' });
  });
});

describe('public reply rules', () => {
  it('treats the router’s mask markers as masked content', () => {
    for (const text of ['your card [card ****1234] is blocked', 'use [code] to log in', 'we [REDACTED password] it', 'card ****']) {
      expect(containsMaskedContent(text), text).toBe(true);
      expect(() => assertPublicReplyAllowed(text)).toThrow(OutboundRefusedError);
    }
    expect(() => assertPublicReplyAllowed('We are on it, please check your DMs.')).not.toThrow();
  });

  it('counts length as Twitter does: CJK twice, a URL 23', () => {
    expect(weightedTweetLength('abc')).toBe(3);
    expect(weightedTweetLength('你好')).toBe(4);
    expect(weightedTweetLength(`see https://help.acme.example/${'x'.repeat(200)}`)).toBe(4 + 23);
    expect(() => assertPublicReplyAllowed('好'.repeat(141))).toThrow(/282 characters/);
    expect(() => assertPublicReplyAllowed('a'.repeat(280))).not.toThrow();
  });
});

describe('config', () => {
  const app = { TWITTER_CONSUMER_KEY: 'consumer-key-1234', TWITTER_CONSUMER_SECRET: 'consumer-secret-1234' };

  it('is undefined until an account is set; v2 on api.x.com by default', () => {
    expect(twitterConfigFromEnv({})).toBeUndefined();
    expect(twitterConfigFromEnv(app)).toBeUndefined();
    const config = twitterConfigFromEnv({ ...app, TWITTER_ACCESS_TOKEN: 'token-123456', TWITTER_ACCESS_TOKEN_SECRET: 'token-secret-123456', TWITTER_HANDLE: '@AcmeWalletHelp' });
    expect(config?.accounts).toEqual([{ handle: 'acmewallethelp', userId: undefined, auth: { kind: 'oauth1', accessToken: 'token-123456', accessTokenSecret: 'token-secret-123456' } }]);
    expect(config).toMatchObject({ api: 'v2', apiBase: 'https://api.x.com/' });
    // A base given the old way (the v1.1 root) is taken back to the API root.
    expect(twitterConfigFromEnv({ ...app, TWITTER_ACCESS_TOKEN: 't-1', TWITTER_ACCESS_TOKEN_SECRET: 's-1', TWITTER_API: 'v1.1', TWITTER_API_BASE: 'https://api.twitter.com/1.1/' })).toMatchObject({ api: 'v1.1', apiBase: 'https://api.twitter.com/' });
  });

  it('takes an OAuth 2.0 refresh token with a client id, and says what is missing', () => {
    const config = twitterConfigFromEnv({ TWITTER_CLIENT_ID: 'client-1', TWITTER_REFRESH_TOKEN: 'refresh-1', TWITTER_DAILY_BUDGET_USD: '2.50', TWITTER_PRICES: '{"post_read":0.001}' });
    expect(config).toMatchObject({ accounts: [{ auth: { kind: 'oauth2', refreshToken: 'refresh-1' } }], dailyBudgetUsd: 2.5, prices: { post_read: 0.001, dm_event_read: 0.01 } });
    expect(() => twitterConfigFromEnv({ TWITTER_REFRESH_TOKEN: 'refresh-1' })).toThrow(/TWITTER_CLIENT_ID is needed/);
    expect(() => twitterConfigFromEnv({ TWITTER_ACCESS_TOKEN: 't-1', TWITTER_ACCESS_TOKEN_SECRET: 's-1' })).toThrow(/TWITTER_CONSUMER_KEY and TWITTER_CONSUMER_SECRET are needed/);
    expect(() => twitterConfigFromEnv({ TWITTER_CLIENT_ID: 'c-1', TWITTER_REFRESH_TOKEN: 'r-1', TWITTER_API: 'v1.1' })).toThrow(/v1.1 takes OAuth 1.0a access tokens only/);
    expect(() => twitterConfigFromEnv({ TWITTER_CLIENT_ID: 'c-1', TWITTER_REFRESH_TOKEN: 'r-1', TWITTER_WEBHOOK_ID: '123' })).toThrow(/TWITTER_WEBHOOK_ID and TWITTER_BEARER_TOKEN go together/);
    expect(() => twitterConfigFromEnv({ TWITTER_CLIENT_ID: 'c-1', TWITTER_REFRESH_TOKEN: 'r-1', TWITTER_DAILY_BUDGET_USD: 'five' })).toThrow(/TWITTER_DAILY_BUDGET_USD: an amount in US dollars/);
  });

  it('reads several accounts of either kind from TWITTER_ACCOUNTS and explains a bad one', () => {
    const accounts = [
      { handle: 'AcmeWalletHelp', userId: '1050118621198921728', accessToken: 'a-token-1', accessTokenSecret: 'a-secret-1' },
      { refreshToken: 'b-refresh-2' },
    ];
    const config = twitterConfigFromEnv({ ...app, TWITTER_CLIENT_ID: 'client-1', TWITTER_ACCOUNTS: JSON.stringify(accounts) });
    expect(config?.accounts.map((a) => [a.handle, a.auth.kind])).toEqual([['acmewallethelp', 'oauth1'], [undefined, 'oauth2']]);
    expect(() => twitterConfigFromEnv({ ...app, TWITTER_ACCOUNTS: '[{' })).toThrow(ConfigError);
    expect(() => twitterConfigFromEnv({ ...app, TWITTER_ACCOUNTS: '[{"handle":"x","accessToken":"t"}]' })).toThrow(/TWITTER_ACCOUNTS\[0\]: each account needs accessToken and accessTokenSecret/);
    expect(() => twitterConfigFromEnv({ ...app, TWITTER_CLIENT_ID: 'client-1', TWITTER_ACCOUNTS: JSON.stringify([accounts[0], accounts[1], accounts[0]]) })).toThrow(/TWITTER_ACCOUNTS\[2\]: the same account/);
  });
});
