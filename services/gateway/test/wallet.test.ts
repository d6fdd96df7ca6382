/**
 * The wallet on a ticket, through the gateway's HTTP API on the real broker and PostgreSQL, against the
 * local fake ledger: matches, double charges and refunds on the ticket; who gets a lookup; the ledger
 * down or late (the ticket still answers, in about 2 s); analysts' masks; the freeze action per role,
 * refused where it must be, audited, and the customer told once on the outbound topic.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Entities, RoutedMessage } from '@switchboard/schema';
import { readAll, routedMessage, signIn, startFakeLedger, TEST_ADMIN, type FakeLedger, type SignedIn } from '@switchboard/testkit';
import type { TicketSummary } from '@switchboard/ticket-store';
import { FREEZE_NOTICE_KEY, freezeNotice, ReplyQueue, type TicketWalletSection } from '../src/index.ts';
import { startTestGateway, type TestGateway } from './helpers.ts';

const PASSWORD = 'a-long-test-passphrase';
const mapFile = join(mkdtempSync(join(tmpdir(), 'sb-wallet-map-')), 'customers.json');
writeFileSync(mapFile, JSON.stringify({ 'api:mapped-7': 'cus_mapped' }));

// The customer wrote at 10:00 in Shanghai on 7 December about "yesterday at 3 pm".
const SENT = '2026-12-07T02:00:00.000Z';
const said = (over: Partial<Entities> = {}): Entities => ({
  amounts: [{ value: '38.5', currency: 'CNY', text: '¥38.5' }],
  references: [
    { kind: 'refund', value: 'RF-100' },
    { kind: 'refund', value: 'RF-404' },
  ],
  times: [{ text: '昨天下午三点', at: '2026-12-06T07:00:00.000Z', date: '2026-12-06' }],
  cardLast4: [],
  counterparties: ['Lucky Coffee'],
  ...over,
});

let fake: FakeLedger;
let gw: TestGateway;
let admin: SignedIn;
const people: Record<'sue' | 'sam' | 'ana', SignedIn> = {} as never;

async function ticket(sender: RoutedMessage['sender'], over: Partial<RoutedMessage> = {}): Promise<TicketSummary> {
  const message = routedMessage({ channel: 'api', account: 'api', conversationKey: `api:${sender.id}:${Math.random()}`, sender, sentAt: SENT, category: 'security', entities: said(), ...over });
  const [opened] = (await gw.running.store.writeRouted([message])).newTickets;
  return (await gw.running.store.getTicket(opened!.id))!.ticket;
}
const walletOf = async (who: SignedIn, t: TicketSummary) => {
  const response = await who.call(`/api/v1/tickets/${t.number}`);
  expect(response.status).toBe(200);
  return (await response.json()) as { wallet: TicketWalletSection; messages: unknown[] };
};
const freeze = (who: SignedIn, t: TicketSummary, body: unknown = { reason: 'phone stolen, unknown payments', confirm: true }) => who.call(`/api/v1/tickets/${t.number}/wallet/freeze`, { body });

beforeAll(async () => {
  fake = await startFakeLedger({
    customers: {
      cus_ann: [
        { id: 'TX-20261206-0001', amount: '38.50', currency: 'CNY', status: 'succeeded', createdAt: '2026-12-06T07:02:00Z', counterparty: 'Lucky Coffee' },
        { id: 'TX-20261206-0002', amount: '38.50', currency: 'CNY', status: 'succeeded', createdAt: '2026-12-06T07:05:00Z', counterparty: 'Lucky Coffee' },
        { id: 'TX-20261206-0003', amount: '120.00', currency: 'CNY', status: 'succeeded', createdAt: '2026-12-06T09:00:00Z', counterparty: 'Metro' },
      ],
      cus_mapped: [{ id: 'TX-20261206-0009', amount: '38.70', currency: 'CNY', status: 'pending', createdAt: '2026-12-06T10:00:00Z' }],
      cus_late: [],
      cus_zh: [],
    },
    refunds: [{ id: 'RF-100', status: 'processing', amount: '38.50', currency: 'CNY', updatedAt: '2026-12-06T12:00:00Z' }],
  });
  gw = await startTestGateway({}, { WALLET_API_BASE: fake.url, WALLET_API_TOKEN: fake.token, WALLET_CUSTOMER_MAP_FILE: mapFile });
  admin = await signIn(gw.url, TEST_ADMIN.email, TEST_ADMIN.password);
  const security = ((await (await admin.call('/api/v1/teams', { body: { name: 'Security and fraud', categories: ['security'] } })).json()) as { team: { id: string } }).team.id;
  for (const [key, role, teamIds] of [['sue', 'supervisor', []], ['sam', 'agent', [security]], ['ana', 'analyst', []]] as const) {
    expect((await admin.call('/api/v1/users', { body: { email: `${key}@wallet.test`, name: key.toUpperCase(), role, password: PASSWORD, teamIds } })).status).toBe(201);
    people[key] = await signIn(gw.url, `${key}@wallet.test`, PASSWORD);
  }
}, 120_000);

afterAll(async () => {
  await gw?.close();
  await fake?.close();
});

describe('the wallet section of a ticket', () => {
  it('shows the transactions matching what a verified customer wrote, a double charge, and the refunds named', async () => {
    const t = await ticket({ id: 'web-ann', name: 'Ann Lee', customerRef: 'cus_ann' });
    const { wallet } = await walletOf(admin, t);
    expect(wallet).toMatchObject({ state: 'found', customerRef: 'cus_ann', via: 'verified-sender' });
    if (wallet.state !== 'found') throw new Error('no matches');
    expect(wallet.matches.map((m) => [m.transaction.id, m.why])).toEqual([
      ['TX-20261206-0001', ['amount', 'day']],
      ['TX-20261206-0002', ['amount', 'day']],
    ]);
    expect(wallet.duplicate).toEqual({ transactionIds: ['TX-20261206-0001', 'TX-20261206-0002'], amount: '38.50', currency: 'CNY', counterparty: 'Lucky Coffee', minutesApart: 3 });
    expect(wallet.refunds).toEqual([{ id: 'RF-100', status: 'processing', amount: '38.50', currency: 'CNY', updatedAt: '2026-12-06T12:00:00Z' }, { id: 'RF-404', status: 'unknown' }]);
    expect(fake.requests.some((r) => r.path.startsWith('/v1/customers/cus_ann/transactions?since=2026-12-04T12%3A00%3A00.000Z'))).toBe(true);
  });

  it('looks up a customer through the configured channel mapping, and nobody else', async () => {
    const mapped = await ticket({ id: 'mapped-7', name: 'Mo' }, { entities: said({ references: [] }) });
    expect((await walletOf(admin, mapped)).wallet).toMatchObject({ state: 'found', customerRef: 'cus_mapped', via: 'mapping', matches: [{ transaction: { id: 'TX-20261206-0009' }, why: ['amount', 'day'] }] });
    const asked = fake.requests.length;
    const stranger = await ticket({ id: 'someone', name: 'Sy' });
    expect((await walletOf(admin, stranger)).wallet).toEqual({ state: 'no-lookup', none: 'unverified', reason: 'the api sender is not verified and no configured mapping names them: no wallet lookup' });
    const forged = await ticket({ id: 'mapped-7', name: 'Mo', customerRef: 'cus_ann', suspect: { code: 'spoofed', reason: 'the signature did not verify' } });
    expect((await walletOf(admin, forged)).wallet).toEqual({ state: 'no-lookup', none: 'suspect', reason: 'the sender is suspect (the signature did not verify): no wallet lookup' });
    expect(fake.requests.length).toBe(asked);
  });

  it('masks every id for analysts and keeps amounts, currencies and statuses', async () => {
    const t = await ticket({ id: 'web-ann-2', name: 'Ann Lee', customerRef: 'cus_ann' }, { sentAt: '2026-12-07T02:00:01.000Z' });
    const { wallet } = await walletOf(people.ana, t);
    expect(wallet).toMatchObject({ state: 'found', customerRef: 'cus•••' });
    if (wallet.state !== 'found') throw new Error('no matches');
    expect(wallet.matches.map((m) => m.transaction)).toEqual([
      { id: 'TX-•••', amount: '38.50', currency: 'CNY', status: 'succeeded', createdAt: '2026-12-06T07:02:00Z', counterparty: 'L•••• C•••••' },
      { id: 'TX-•••', amount: '38.50', currency: 'CNY', status: 'succeeded', createdAt: '2026-12-06T07:05:00Z', counterparty: 'L•••• C•••••' },
    ]);
    expect(wallet.duplicate).toMatchObject({ transactionIds: ['TX-•••', 'TX-•••'], amount: '38.50', counterparty: 'L•••• C•••••' });
    expect(wallet.refunds.map((r) => [r.id, r.status])).toEqual([
      ['•••', 'processing'],
      ['•••', 'unknown'],
    ]);
    expect(JSON.stringify(wallet)).not.toMatch(/cus_ann|TX-2026|RF-100|Lucky/);
  });

  it('answers the ticket in about 2 s with "ledger unavailable" when the ledger is late', async () => {
    const t = await ticket({ id: 'web-late', name: 'Lee', customerRef: 'cus_late' });
    fake.slow(5_000);
    try {
      const started = Date.now();
      const { wallet, messages } = await walletOf(admin, t);
      expect(Date.now() - started).toBeLessThan(3_500);
      expect(messages).toHaveLength(1);
      expect(wallet).toEqual({ state: 'unavailable', customerRef: 'cus_late', via: 'verified-sender', unavailable: 'ledger unavailable', reason: 'the wallet ledger did not answer transactions within 2000 ms' });
      // The failure is remembered for a few seconds: the next reload does not wait again.
      const again = Date.now();
      expect((await walletOf(admin, t)).wallet.state).toBe('unavailable');
      expect(Date.now() - again).toBeLessThan(1_000);
    } finally {
      fake.slow(0);
    }
  });
});

describe('freezing the account from a security ticket', () => {
  it('is for supervisors and admins: agents and analysts get 403, whatever the ticket', async () => {
    const t = await ticket({ id: 'web-ann-3', name: 'Ann Lee', customerRef: 'cus_ann' });
    expect((await freeze(people.sam, t)).status).toBe(403);
    expect((await freeze(people.ana, t)).status).toBe(403);
    expect((await people.sam.call(`/api/v1/tickets/${t.number}`)).status).toBe(200);
    expect(fake.freezes).toHaveLength(0);
  });

  it('refuses without confirm, on a ticket that is not about security, and for a customer nobody verified', async () => {
    const security = await ticket({ id: 'web-ann-4', name: 'Ann Lee', customerRef: 'cus_ann' });
    const unconfirmed = await freeze(people.sue, security, { reason: 'phone stolen' });
    expect(unconfirmed.status).toBe(400);
    expect(await unconfirmed.text()).toContain('confirm');
    const payment = await ticket({ id: 'web-ann-5', name: 'Ann Lee', customerRef: 'cus_ann' }, { category: 'transaction' });
    const notSecurity = await freeze(people.sue, payment);
    expect(notSecurity.status).toBe(409);
    expect(await notSecurity.json()).toMatchObject({ code: 'not-security' });
    const unverified = await freeze(people.sue, await ticket({ id: 'claims-to-be-ann', name: 'Ann Lee' }));
    expect(unverified.status).toBe(409);
    expect(await unverified.json()).toMatchObject({ code: 'no-verified-customer' });
    expect(fake.freezes).toHaveLength(0);
  });

  it('freezes once, audits once and tells the customer once in their language, however often it is asked', async () => {
    const t = await ticket({ id: 'web-zh', name: '陈静', customerRef: 'cus_zh' }, { language: 'zh-Hans' });
    const [first, second] = await Promise.all([freeze(people.sue, t), freeze(people.sue, t)]);
    const third = await freeze(admin, t);
    const bodies = [await first.json(), await second.json(), await third.json()] as { frozen: boolean; duplicate?: boolean; freezeId?: string; notice: { id: string } }[];
    expect([first.status, second.status, third.status]).toEqual([200, 200, 200]);
    const noticeId = ReplyQueue.idOf(t.id, FREEZE_NOTICE_KEY);
    expect(bodies.every((b) => b.frozen && b.notice.id === noticeId)).toBe(true);
    expect(bodies.filter((b) => b.duplicate)).toHaveLength(2);
    expect(fake.freezes.filter((f) => f.customerRef === 'cus_zh')).toEqual([
      expect.objectContaining({ body: { reason: 'phone stolen, unknown payments', ticketNumber: t.number, agent: 'sue@wallet.test' } }),
    ]);

    const notices = (await readAll(gw.kafka, gw.running.topics.outbound)).map((r) => JSON.parse(r.value) as { id: string; ticketId: string; text: string; kind: string; author?: { name: string } }).filter((o) => o.ticketId === t.id);
    expect(notices).toHaveLength(1);
    expect(notices[0]).toMatchObject({ id: noticeId, kind: 'reply', text: freezeNotice('zh-Hans', t.number), author: { name: 'SUE' } });
    expect(notices[0]!.text).toContain('冻结');

    const { entries } = (await (await admin.call('/api/v1/audit?action=wallet.freeze&limit=50')).json()) as { entries: { actorEmail?: string; target?: string; details: Record<string, unknown> }[] };
    expect(entries.filter((e) => e.target === t.number)).toEqual([
      expect.objectContaining({ actorEmail: 'sue@wallet.test', details: { customerRef: 'cus_zh', via: 'verified-sender', freezeId: bodies.find((b) => !b.duplicate)!.freezeId, reason: 'phone stolen, unknown payments' } }),
    ]);
    expect((await walletOf(admin, t)).wallet.frozen).toMatchObject({ noticeId });
  });

  it('says the ledger is unavailable and tells the customer nothing when the ledger is late', async () => {
    const t = await ticket({ id: 'web-late-2', name: 'Lee', customerRef: 'cus_late' });
    fake.slow(5_000);
    try {
      const response = await freeze(people.sue, t);
      expect(response.status).toBe(503);
      expect(((await response.json()) as { error: string }).error).toBe('ledger unavailable: the wallet ledger did not answer freeze within 2000 ms');
    } finally {
      fake.slow(0);
    }
    expect((await readAll(gw.kafka, gw.running.topics.outbound)).filter((r) => (JSON.parse(r.value) as { ticketId: string }).ticketId === t.id)).toHaveLength(0);
  });
});
