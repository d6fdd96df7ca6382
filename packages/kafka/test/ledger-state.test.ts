import { describe, expect, it } from 'vitest';
import type { LedgerEntry } from '@switchboard/schema';
import { applyEntry, decide, type Asker, type IdState } from '../src/ledger-state.ts';

const T0 = Date.parse('2026-12-07T10:00:00Z');
const at = (s: number) => new Date(T0 + s * 1000).toISOString();
const source = { partition: 1, offset: '42' };

function entry(kind: LedgerEntry['kind'], token: string, extra: Partial<LedgerEntry> = {}): LedgerEntry {
  return { schemaVersion: 1, namespace: 'email', id: 'out-1', kind, token, instance: `proc-${token}`, member: `member-${token}`, source, at: at(0), expiresAt: at(300), ...extra };
}

const replay = (...entries: LedgerEntry[]): IdState | undefined => entries.reduce<IdState | undefined>((state, e) => applyEntry(state, e), undefined);

describe('ledger rules: who holds an id after the log so far', () => {
  it.each<[string, LedgerEntry[], { holder?: string; sent?: boolean }]>([
    ['the first claim wins', [entry('claim', 'a'), entry('claim', 'b')], { holder: 'a' }],
    ['a claim naming the holder takes it over', [entry('claim', 'a'), entry('claim', 'b', { supersedes: 'a' })], { holder: 'b' }],
    ['of two takeovers of the same holder, the first wins', [entry('claim', 'a'), entry('claim', 'b', { supersedes: 'a' }), entry('claim', 'c', { supersedes: 'a' })], { holder: 'b' }],
    ['a release frees the id for the next claim', [entry('claim', 'a'), entry('release', 'a'), entry('claim', 'b')], { holder: 'b' }],
    ['a release by someone else changes nothing', [entry('claim', 'a'), entry('release', 'b')], { holder: 'a' }],
    ['sent is final: later claims and releases are ignored', [entry('claim', 'a'), entry('sent', 'a'), entry('claim', 'b'), entry('release', 'a')], { sent: true }],
    ['sent counts whoever wrote it (a process that sent before its claim was taken over)', [entry('claim', 'a'), entry('claim', 'b', { supersedes: 'a' }), entry('sent', 'a')], { sent: true }],
  ])('%s', (_case, entries, expected) => {
    const state = replay(...entries)!;
    expect(state.holder?.token).toBe(expected.holder);
    expect(Boolean(state.sent)).toBe(Boolean(expected.sent));
  });

  it('keeps the source and the time of the latest entry (what the sweep reads)', () => {
    const state = replay(entry('claim', 'a', { at: at(5) }), entry('sent', 'a', { at: at(9), source: { partition: 1, offset: '77' }, externalId: 'sb.1@x' }))!;
    expect(state).toMatchObject({ lastAt: T0 + 9000, source: { partition: 1, offset: '77' }, sent: { externalId: 'sb.1@x' } });
  });
});

describe('ledger rules: what a replica may do with an id', () => {
  const asker = (over: Partial<Asker> = {}): Asker => ({ source, token: undefined, instance: 'me', now: T0 + 10_000, isMember: () => true, ...over });
  const held = (token: string, over: Partial<LedgerEntry> = {}) => replay(entry('claim', token, over));

  it.each<[string, IdState | undefined, Asker, ReturnType<typeof decide>]>([
    ['unknown id: claim it', undefined, asker(), { action: 'claim' }],
    ['sent: skip, with what was sent; this very record again', replay(entry('claim', 'a'), entry('sent', 'a', { externalId: 'sb.1@x' })), asker(), { action: 'skip', redelivered: true, externalId: 'sb.1@x' }],
    ['sent by an earlier copy of the id: skip, not a redelivery', replay(entry('claim', 'a'), entry('sent', 'a')), asker({ source: { partition: 1, offset: '99' } }), { action: 'skip', redelivered: false }],
    ['my claim won: send', held('mine'), asker({ token: 'mine' }), { action: 'send' }],
    ['a live replica holds it: wait until its lease ends', held('other'), asker(), { action: 'wait', until: T0 + 300_000 }],
    ['the holder left the group: take over at once', held('other'), asker({ isMember: () => false }), { action: 'claim', supersedes: 'other' }],
    ['the group is not known: the lease decides', held('other'), asker({ isMember: () => undefined }), { action: 'wait', until: T0 + 300_000 }],
    ['the lease ran out: take over', held('other'), asker({ now: T0 + 301_000 }), { action: 'claim', supersedes: 'other' }],
    ['an earlier attempt of this process: take over (it knows what it did)', held('old', { instance: 'me' }), asker({ token: 'new' }), { action: 'claim', supersedes: 'old' }],
    ['released: claim again', replay(entry('claim', 'a'), entry('release', 'a')), asker({ token: 'a' }), { action: 'claim' }],
  ])('%s', (_case, state, who, expected) => {
    expect(decide(state, who)).toEqual(expected);
  });
});
