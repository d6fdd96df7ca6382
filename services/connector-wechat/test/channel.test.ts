import { describe, expect, it } from 'vitest';
import { decideReply } from '@switchboard/connector-sdk';
import { manifest } from '../src/channel.ts';
import { contactConversationKey, kfConversationKey, oaConversationKey } from '../src/index.ts';

const wechat = manifest.channels.find((c) => c.id === 'wechat')!;
const last = new Date('2026-12-01T08:00:00.000Z');
const at = (hours: number) => new Date(last.getTime() + hours * 3_600_000);
const ask = (conversationKey: string, hours: number, sent: number) =>
  decideReply(wechat, {
    kind: 'reply',
    now: at(hours),
    account: 'wx1234567890abcdef',
    conversationKey,
    history: { lastCustomerMessageAt: last, sentSinceCustomer: Array.from({ length: sent }, () => ({ at: at(0.5), kind: 'reply' as const })) },
  });

describe("WeChat's reply policy", () => {
  const follower = oaConversationKey('wx1234567890abcdef', 'oFollower123');
  it('gives an Official Account follower 48 h and five messages after they wrote', () => {
    expect(ask(follower, 1, 0)).toMatchObject({ allowed: true, remaining: 5, closesAt: '2026-12-03T08:00:00.000Z' });
    expect(ask(follower, 47, 4)).toMatchObject({ allowed: true, remaining: 1 });
    expect(ask(follower, 2, 5)).toMatchObject({ allowed: false, code: 'quota-exhausted' });
    expect(ask(follower, 49, 0)).toMatchObject({ allowed: false, code: 'window-closed' });
  });
  it('gives a WeCom customer-service customer the same 48 h and five messages', () => {
    const customer = kfConversationKey('ww4f3a9c2b1d0e5f67', 'wkAJ2GCAAAZSfhHCt7IFSvLKtMPxyJTw', 'wmAJ2GCAAAme1XQRC-NI-q0_ZM9ukoAw');
    expect(ask(customer, 1, 4)).toMatchObject({ allowed: true, remaining: 1, closesAt: '2026-12-03T08:00:00.000Z' });
    expect(ask(customer, 1, 5)).toMatchObject({ allowed: false, code: 'quota-exhausted' });
    expect(ask(customer, 48, 0)).toMatchObject({ allowed: false, code: 'window-closed' });
  });
  it("leaves a bot's chats open", () => {
    expect(ask(contactConversationKey('wxid_zhangsan'), 500, 50)).toEqual({ allowed: true });
  });
});
