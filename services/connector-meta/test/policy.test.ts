import { describe, expect, it } from 'vitest';
import type { ReplyRequest } from '@switchboard/connector-sdk';
import { manifest, messagingReplies, whatsappReplies } from '../src/index.ts';

const last = new Date('2026-12-01T08:00:00.000Z');
const hoursAfter = (h: number) => new Date(last.getTime() + h * 3_600_000);
const request = (hours: number, kind: 'reply' | 'ack' = 'reply', wrote: Date | null = last): ReplyRequest => ({
  kind,
  now: hoursAfter(hours),
  account: '104582371938211',
  conversationKey: 'messenger:104582371938211:6543210987654321',
  history: { ...(wrote ? { lastCustomerMessageAt: wrote } : {}), sentSinceCustomer: [] },
});

describe("Messenger's and Instagram's reply policy", () => {
  it.each([
    ['an hour after the customer wrote', 1, 'reply', { allowed: true, mode: 'response', closesAt: hoursAfter(24).toISOString() }],
    ['an acknowledgement right away', 0.01, 'ack', { allowed: true, mode: 'response' }],
    ['a minute before 24 h', 24 - 1 / 60, 'reply', { allowed: true, mode: 'response' }],
    ['an agent at 24 h', 24, 'reply', { allowed: true, mode: 'human_agent', closesAt: hoursAfter(7 * 24).toISOString() }],
    ['an agent after 6 days', 6 * 24, 'reply', { allowed: true, mode: 'human_agent' }],
    ['an acknowledgement after 24 h', 25, 'ack', { allowed: false, code: 'not-for-automatic' }],
    ['an agent at 7 days', 7 * 24, 'reply', { allowed: false, code: 'window-closed', reason: expect.stringContaining('7 days') }],
    ['an agent after a month', 30 * 24, 'reply', { allowed: false, code: 'window-closed' }],
  ] as const)('%s', (_what, hours, kind, expected) => {
    expect(messagingReplies.decide(request(hours, kind))).toMatchObject(expected);
  });

  it('refuses a conversation the customer never wrote in', () => {
    expect(messagingReplies.decide(request(1, 'reply', null))).toMatchObject({ allowed: false, code: 'no-customer-message' });
  });
});

describe("WhatsApp's reply policy", () => {
  it.each([
    ['an hour after the customer wrote', 1, 'reply', { allowed: true, mode: 'response', closesAt: hoursAfter(24).toISOString() }],
    ['23 h after', 23, 'ack', { allowed: true, mode: 'response' }],
    ['an agent at 24 h: the approved template', 24, 'reply', { allowed: true, mode: 'template' }],
    ['an agent two months later: still the template', 60 * 24, 'reply', { allowed: true, mode: 'template' }],
    ['an acknowledgement after 24 h', 30, 'ack', { allowed: false, code: 'not-for-automatic' }],
  ] as const)('%s', (_what, hours, kind, expected) => {
    const decision = whatsappReplies.decide(request(hours, kind));
    expect(decision).toMatchObject(expected);
    if (decision.allowed && decision.mode === 'template') expect(decision.closesAt).toBeUndefined();
  });
});

describe('the descriptors', () => {
  it('declare three channels, each policy with a sentence, and a banner sentence for every mode that is not the ordinary one', () => {
    expect(manifest.channels.map((c) => c.id)).toEqual(['messenger', 'instagram', 'whatsapp']);
    for (const channel of manifest.channels) {
      expect(channel.replyPolicy!.summary).toMatch(/24 h/);
      for (const sentence of Object.values(channel.replyModes ?? {})) expect(sentence.en && sentence.zh).toBeTruthy();
    }
    expect(Object.keys(manifest.channels[0]!.replyModes!)).toEqual(['human_agent']);
    expect(Object.keys(manifest.channels[2]!.replyModes!)).toEqual(['template']);
  });
});
