import { describe, expect, it } from 'vitest';
import { InboundMessage } from '@switchboard/schema';
import { Tweet, normalizeTweet, type Normalized, type OwnAccount } from '../src/normalize.ts';
import { DmEventV2, PostV2, normalizeDmEvent, normalizePost, oneToOneConversationId, readIncludes } from '../src/normalize-v2.ts';
import { decideXReply } from '../src/reply-policy.ts';
import { UsageMeter } from '../src/usage.ts';
import { DEFAULT_PRICES } from '../src/prices.ts';
import { nextPollDelay } from '../src/poller.ts';
import { replayDate, replayWindow } from '../src/webhook-admin.ts';
import { deliveryOf } from '../src/outbound.ts';

const own: OwnAccount = { handle: 'acmewallethelp', userId: '1050118621198921728' };
const receivedAt = new Date('2026-12-07T12:00:00.000Z');
const includes = readIncludes({
  users: [{ id: '2244994945', name: 'Ann Lee', username: 'annlee_codes' }, { id: '5566778899', name: 'Fake Acme', username: 'fake_acme' }],
  media: [{ media_key: '3_1', type: 'photo', url: 'https://pbs.twimg.com/media/GdQ8fJzWAAA1x2Y.jpg' }, { media_key: '7_2', type: 'video', preview_image_url: 'https://pbs.twimg.com/p.jpg', variants: [{ content_type: 'video/mp4', bit_rate: 256000, url: 'https://video.twimg.com/low.mp4' }, { content_type: 'video/mp4', bit_rate: 2176000, url: 'https://video.twimg.com/high.mp4' }] }],
  tweets: [{ id: '1860999999999999999', text: 'Acme gives 500 USDT &amp; more!', author_id: '5566778899' }],
});
const message = (result: Normalized | { invalid: string }) => {
  if (!('message' in result)) throw new Error(JSON.stringify(result));
  return InboundMessage.parse(result.message);
};

describe('normalizePost (X API v2)', () => {
  it('keys the conversation by conversation_id and reads the full text of a long post from note_tweet', () => {
    const post = PostV2.parse({
      id: '1861000000000000012',
      text: `@AcmeWalletHelp ${'a'.repeat(250)}`,
      author_id: '2244994945',
      conversation_id: '1861000000000000011',
      created_at: '2026-12-07T11:59:00.000Z',
      lang: 'en',
      referenced_tweets: [{ type: 'replied_to', id: '1861000000000000011' }],
      note_tweet: { text: '@AcmeWalletHelp my transfer &amp; my refund are both missing, details https://t.co/x1 and the rest of a long story', entities: { urls: [{ url: 'https://t.co/x1', expanded_url: 'https://status.acme.example/1' }] } },
      attachments: { media_keys: ['3_1', '7_2'] },
    });
    const m = message(normalizePost(post, includes, own, receivedAt));
    expect(m).toMatchObject({ conversationKey: 'tweet:acmewallethelp:1861000000000000011', externalId: '1861000000000000012', sender: { id: '2244994945', name: 'Ann Lee', address: '@annlee_codes' }, sentAt: '2026-12-07T11:59:00.000Z' });
    expect(m.text).toBe('my transfer & my refund are both missing, details https://status.acme.example/1 and the rest of a long story');
    expect(m.meta).toMatchObject({ kind: 'mention', rootTweetId: '1861000000000000011', inReplyToStatusId: '1861000000000000012'.replace('12', '11'), longPost: true });
    expect(m.attachments.map((a) => [a.name, a.contentType])).toEqual([['GdQ8fJzWAAA1x2Y.jpg', 'image/jpeg'], ['high.mp4', 'video/mp4']]);
  });

  it('keeps a quoted post, ignores retweets and our own posts', () => {
    const quote = PostV2.parse({ id: '1861000000000000003', text: 'is this real? https://t.co/q', author_id: '2244994945', referenced_tweets: [{ type: 'quoted', id: '1860999999999999999' }], entities: { urls: [{ url: 'https://t.co/q', expanded_url: 'https://x.com/fake_acme/status/1860999999999999999' }] } });
    expect(message(normalizePost(quote, includes, own, receivedAt)).meta.quoted).toEqual({ tweetId: '1860999999999999999', text: 'Acme gives 500 USDT & more!', user: { id: '5566778899', screenName: 'fake_acme' } });
    expect(normalizePost(PostV2.parse({ id: '1', text: 'RT', author_id: '2244994945', referenced_tweets: [{ type: 'retweeted', id: '2' }] }), includes, own)).toEqual({ ignored: 'retweet' });
    expect(normalizePost(PostV2.parse({ id: '1', text: 'hi', author_id: own.userId }), includes, own)).toEqual({ ignored: 'our own post' });
  });
});

describe('normalizeDmEvent (X API v2)', () => {
  it('gives a one-to-one DM the pair conversation, a group DM its own, and skips ours', () => {
    const pair = oneToOneConversationId('2244994945', own.userId);
    // {low}-{high} by numeric value.
    expect(pair).toBe('2244994945-1050118621198921728');
    const dm = DmEventV2.parse({ id: '1861000000000001001', event_type: 'MessageCreate', text: 'see https://t.co/d', sender_id: '2244994945', dm_conversation_id: pair, created_at: '2026-12-07T11:00:00.000Z', entities: { urls: [{ url: 'https://t.co/d', expanded_url: 'https://acme.example/d' }] }, attachments: { media_keys: ['3_1'] } });
    expect(message(normalizeDmEvent(dm, includes, own, receivedAt))).toMatchObject({ conversationKey: 'dm:acmewallethelp:2244994945', externalId: 'dm:1861000000000001001', text: 'see https://acme.example/d', sender: { name: 'Ann Lee' }, meta: { dmConversationId: pair } });
    const group = DmEventV2.parse({ ...dm, id: '1861000000000001002', dm_conversation_id: '1582838223562100736' });
    expect(message(normalizeDmEvent(group, includes, own, receivedAt)).conversationKey).toBe('dmgroup:acmewallethelp:1582838223562100736');
    expect(normalizeDmEvent(DmEventV2.parse({ ...dm, sender_id: own.userId }), includes, own)).toEqual({ ignored: 'our own direct message' });
    expect(normalizeDmEvent(DmEventV2.parse({ id: '5', event_type: 'MessageCreate' }), includes, own)).toMatchObject({ invalid: expect.stringMatching(/sender_id/) });
    expect(deliveryOf({ text: 'hi', conversationKey: 'dmgroup:acmewallethelp:1582838223562100736', recipient: { id: '2244994945' } })).toEqual({ kind: 'dm-group', text: 'hi', conversationId: '1582838223562100736' });
  });
});

describe('a compatibility-mode (truncated) tweet (issue 21, item 10)', () => {
  it('is marked truncated: the … and the i/web/status link are not taken as its text, the agent sees where the rest is', () => {
    const tweet = Tweet.parse({
      id_str: '1861000000000000022',
      truncated: true,
      text: '@AcmeWalletHelp my card was charged twice at the shop and the second charge is not in my statement yet, I have called twice and nobody… https://t.co/web',
      user: { id_str: '2244994945', screen_name: 'annlee_codes' },
      in_reply_to_user_id_str: own.userId,
      entities: { urls: [{ url: 'https://t.co/web', expanded_url: 'https://twitter.com/i/web/status/1861000000000000022' }], user_mentions: [{ screen_name: 'AcmeWalletHelp', id_str: own.userId }] },
    });
    const m = message(normalizeTweet(tweet, own, { receivedAt }));
    expect(m.text).toBe('my card was charged twice at the shop and the second charge is not in my statement yet, I have called twice and nobody… [post truncated by X; full text: https://x.com/i/web/status/1861000000000000022]');
    expect(m.meta).toMatchObject({ truncated: true, fullTextUrl: 'https://x.com/i/web/status/1861000000000000022' });
  });
});

describe('X reply policy (from history only)', () => {
  const at = new Date('2026-12-07T12:00:00.000Z');
  const minutesAgo = (n: number) => new Date(at.getTime() - n * 60_000);
  const request = (kind: 'reply' | 'ack', conversationKey: string, sent: number[], last: Date | null = minutesAgo(30)) => ({
    kind,
    now: at,
    account: 'acmewallethelp',
    conversationKey,
    history: { ...(last ? { lastCustomerMessageAt: last } : {}), sentSinceCustomer: sent.map((m) => ({ at: minutesAgo(m), kind: 'reply' as const })) },
  });
  it.each([
    ['a reply on a DM', request('reply', 'dm:acmewallethelp:1', []), { allowed: true }],
    ['a reply to a mention', request('reply', 'tweet:acmewallethelp:1', [1, 2]), { allowed: true }],
    ['an acknowledgement by DM', request('ack', 'dm:acmewallethelp:1', []), { allowed: true }],
    ['an acknowledgement of a mention', request('ack', 'tweet:acmewallethelp:1', []), { allowed: false, code: 'not-for-automatic' }],
    ['before the customer wrote', request('reply', 'dm:acmewallethelp:1', [], null), { allowed: false, code: 'no-customer-message' }],
    ['the 16th in 15 minutes', request('reply', 'dm:acmewallethelp:1', Array.from({ length: 15 }, (_, i) => i)), { allowed: false, code: 'quota-exhausted' }],
    ['15 sent, the oldest 16 minutes ago', request('reply', 'dm:acmewallethelp:1', [16, ...Array.from({ length: 14 }, (_, i) => i)]), { allowed: true }],
  ])('%s', (_name, input, expected) => {
    expect(decideXReply(input)).toMatchObject(expected);
  });
});

describe('usage meter', () => {
  it('bills a resource once per UTC day, counts writes per request, and closes at the budget until midnight', () => {
    let now = new Date('2026-12-07T23:59:00.000Z');
    const meter = new UsageMeter('twitter-test', DEFAULT_PRICES, 0.03, () => now);
    meter.read('a', 'post_read', ['1', '2', '2']);
    meter.read('a', 'post_read', ['1']);
    meter.write('a', 'dm_create');
    expect(meter.snapshot()).toEqual({ day: '2026-12-07', units: { post_read: 2, dm_create: 1 }, costUsd: 0.025 });
    expect(meter.exhausted).toBe(false);
    meter.read('a', 'user_read', ['9']);
    expect(meter.exhausted).toBe(true);
    expect(meter.reopensAt.toISOString()).toBe('2026-12-08T00:00:00.000Z');
    const restarted = new UsageMeter('twitter-test', DEFAULT_PRICES, 0.03, () => now);
    restarted.restore(meter.snapshot());
    expect(restarted.exhausted).toBe(true);
    now = new Date('2026-12-08T00:00:01.000Z');
    expect(meter.exhausted).toBe(false);
    meter.read('a', 'post_read', ['1']);
    expect(meter.summary()).toEqual({ day: '2026-12-08', reads: { post_read: 1 }, writes: {}, costUsd: 0.005, budgetUsd: 0.03 });
  });
});

describe('scheduling', () => {
  it('spreads the calls left in a window until its reset, never faster than the interval', () => {
    const now = 1_000_000;
    expect(nextPollDelay(60_000, undefined, now)).toBe(60_000);
    expect(nextPollDelay(60_000, { remaining: 14, resetAt: now + 900_000 }, now)).toBe(60_000);
    expect(nextPollDelay(10_000, { remaining: 14, resetAt: now + 900_000 }, now)).toBe(60_000);
    expect(nextPollDelay(10_000, { remaining: 0, resetAt: now + 30_000 }, now)).toBe(30_000);
    expect(nextPollDelay(10_000, { remaining: 299, resetAt: now + 900_000 }, now)).toBe(10_000);
  });

  it('replays the webhook gap from a little before we went down, at most the 24 hours X keeps', () => {
    const now = new Date('2026-12-07T12:00:00.000Z');
    expect(replayWindow(undefined, now)).toBeUndefined();
    expect(replayWindow(new Date('2026-12-07T11:59:30.000Z'), now)).toBeUndefined();
    expect(replayWindow(new Date('2026-12-07T11:00:00.000Z'), now)).toEqual({ from: new Date('2026-12-07T10:58:00.000Z'), to: now, clipped: false });
    expect(replayWindow(new Date('2026-12-05T00:00:00.000Z'), now)).toEqual({ from: new Date('2026-12-06T12:01:00.000Z'), to: now, clipped: true });
    expect(replayDate(new Date('2026-12-07T09:05:59.000Z'))).toBe('202612070905');
  });
});
