import { describe, expect, it } from 'vitest';
import { ANY_TIME, ChannelDescriptorShape, ChannelRegistry, decideReply, OTHER_DESCRIPTOR, replyWindow, type ChannelDescriptor, type ReplyHistory } from '../src/index.ts';

const last = new Date('2026-12-01T08:00:00.000Z');
const hoursAfter = (h: number) => new Date(last.getTime() + h * 3_600_000);
const history = (sent = 0): ReplyHistory => ({ lastCustomerMessageAt: last, sentSinceCustomer: Array.from({ length: sent }, (_, i) => ({ at: hoursAfter(i * 0.1), kind: 'reply' as const })) });
const request = (now: Date, h: ReplyHistory) => ({ kind: 'reply' as const, now, account: 'acct', conversationKey: 'conv', history: h });

describe('a reply window', () => {
  const window = replyWindow({ hours: 48, maxMessages: 5, mode: 'customer-service' });

  it.each([
    ['just after the customer wrote', 0.1, 0, { allowed: true, closesAt: '2026-12-03T08:00:00.000Z', remaining: 5, mode: 'customer-service' }],
    ['with three messages sent', 10, 3, { allowed: true, remaining: 2 }],
    ['a minute before it closes', 48 - 1 / 60, 4, { allowed: true, remaining: 1 }],
    ['when it closes', 48, 0, { allowed: false, code: 'window-closed' }],
    ['days later', 24 * 9, 0, { allowed: false, code: 'window-closed' }],
    ['with the quota used', 1, 5, { allowed: false, code: 'quota-exhausted' }],
  ])('%s', (_what, hours, sent, expected) => {
    expect(window.decide(request(hoursAfter(hours), history(sent)))).toMatchObject(expected);
  });

  it('refuses when the customer never wrote, and says its rule in a sentence', () => {
    expect(window.decide(request(last, { sentSinceCustomer: [] }))).toMatchObject({ allowed: false, code: 'no-customer-message' });
    expect(window.summary).toBe("48 h after the customer's last message, at most 5 messages");
    expect(replyWindow({ hours: 24 }).summary).toBe("24 h after the customer's last message");
    expect(replyWindow({ hours: 24 }).decide(request(hoursAfter(1), history(40)))).toEqual({ allowed: true, closesAt: hoursAfter(24).toISOString() });
  });

  it('is any time for a channel without a policy, or one nobody registered', () => {
    const plain: ChannelDescriptor = { id: 'plain', label: { en: 'Plain', zh: '普通' }, icon: { color: '#000000', path: 'M0 0' }, threading: 'one' };
    expect(decideReply(plain, request(hoursAfter(1000), history()))).toBe(ANY_TIME);
    expect(decideReply(undefined, request(hoursAfter(1000), history()))).toBe(ANY_TIME);
    const registry = new ChannelRegistry([plain]);
    expect(registry.describe('unknown')).toBe(OTHER_DESCRIPTOR);
    expect(registry.known('unknown')).toBe('other');
    expect(registry.known('plain')).toBe('plain');
  });

  it("checks a descriptor's sentences for its reply modes: both languages, each non-empty", () => {
    const plain = { id: 'plain', label: { en: 'Plain', zh: '普通' }, icon: { color: '#000000', path: 'M0 0' }, threading: 'one' };
    expect(ChannelDescriptorShape.safeParse({ ...plain, replyModes: { tagged: { en: 'Sent with a tag.', zh: '带标签发送。' } } }).success).toBe(true);
    const missing = ChannelDescriptorShape.safeParse({ ...plain, replyModes: { tagged: { en: 'Sent with a tag.' } } });
    expect(missing.success).toBe(false);
    expect(missing.error?.issues[0]?.path).toEqual(['replyModes', 'tagged', 'zh']);
  });
});
