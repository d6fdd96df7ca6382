/**
 * The console's wallet panel in Debian's Chromium (playwright-core): the gateway in this process on its
 * own topics and a fresh PostgreSQL database, the local fake ledger behind it. An admin opens a security
 * ticket of a verified customer, sees the matching transactions and the double charge, freezes the
 * account through the confirm step, and the panel says it is frozen; in Chinese too. An agent of the
 * security team sees the panel without the button.
 */
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadGatewayConfig, startGateway, type RunningGateway } from '@switchboard/gateway';
import { routedMessage, startFakeLedger, startInProcess, TEST_ADMIN, type FakeLedger, type InProcess } from '@switchboard/testkit';
import type { TicketSummary } from '@switchboard/ticket-store';

const CHROMIUM_FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run', '--disable-sync'];
const AGENT = { email: 'sam@wallet.test', password: 'a-long-agent-passphrase' };
const poll = <T>(read: () => Promise<T> | T) => expect.poll(read, { timeout: 20_000, interval: 100 });

let fake: FakeLedger;
let sb: InProcess<RunningGateway>;
let browser: Browser;
let ticket: TicketSummary;

async function signedInPage(email: string, password: string, locale = 'en-GB'): Promise<Page> {
  const page = await browser.newPage({ viewport: { width: 1366, height: 800 }, locale });
  await page.goto(`${sb.url}/console`);
  await page.fill('#email', email);
  await page.fill('#password', password);
  await page.click('#login-submit');
  await page.waitForSelector('#tickets');
  await page.goto(`${sb.url}/console#/tickets/${ticket.id}`);
  await page.waitForSelector('#wallet:not([hidden])');
  return page;
}

beforeAll(async () => {
  fake = await startFakeLedger({
    customers: {
      cus_mia: [
        { id: 'TX-20261206-0001', amount: '38.50', currency: 'CNY', status: 'succeeded', createdAt: '2026-12-06T07:02:00Z', counterparty: 'Lucky Coffee' },
        { id: 'TX-20261206-0002', amount: '38.50', currency: 'CNY', status: 'succeeded', createdAt: '2026-12-06T07:05:00Z', counterparty: 'Lucky Coffee' },
      ],
    },
  });
  sb = await startInProcess((env) => startGateway(loadGatewayConfig(env), { modules: ['api'] }), 'wallet-console-token-42', { WALLET_API_BASE: fake.url, WALLET_API_TOKEN: fake.token });
  const message = routedMessage({
    channel: 'api',
    account: 'api',
    conversationKey: 'api:web-mia',
    sender: { id: 'web-mia', name: 'Mia Wong', customerRef: 'cus_mia' },
    sentAt: '2026-12-07T02:00:00.000Z',
    category: 'security',
    text: 'Someone used my wallet: two payments of ¥38.5 to Lucky Coffee yesterday at 3pm that I did not make!',
    entities: { amounts: [{ value: '38.5', currency: 'CNY', text: '¥38.5' }], references: [], times: [{ text: 'yesterday at 3pm', at: '2026-12-06T07:00:00.000Z', date: '2026-12-06' }], cardLast4: [], counterparties: ['Lucky Coffee'] },
  });
  const [opened] = (await sb.running.store.writeRouted([message])).newTickets;
  ticket = (await sb.running.store.getTicket(opened!.id))!.ticket;
  const team = ((await (await sb.call('/api/v1/teams', { body: { name: 'Security', categories: ['security'] } })).json()) as { team: { id: string } }).team.id;
  expect((await sb.call('/api/v1/users', { body: { ...AGENT, name: 'Sam', role: 'agent', teamIds: [team] } })).status).toBe(201);
  browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_FLAGS });
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await sb?.close();
  await fake?.close();
});

describe('the wallet panel in Chromium', () => {
  it('shows an agent the matches and the double charge, and no freeze button', async () => {
    const page = await signedInPage(AGENT.email, AGENT.password);
    await poll(() => page.textContent('#wallet-customer')).toBe('Customer cus_mia · verified by the channel');
    await poll(() => page.locator('#wallet-matches li').count()).toBe(2);
    expect(await page.locator('#wallet-matches li').first().textContent()).toContain('38.50 CNY Lucky Coffee');
    expect(await page.textContent('#wallet-duplicate')).toBe('⚠ Possible double charge: TX-20261206-0001 and TX-20261206-0002, 38.50 CNY to Lucky Coffee, 3 min apart.');
    expect(await page.locator('#wallet-freeze').count()).toBe(0);
    await page.close();
  });

  it('lets an admin freeze the account after confirming, once, and says so', async () => {
    const page = await signedInPage(TEST_ADMIN.email, TEST_ADMIN.password);
    await page.click('#wallet-freeze');
    await page.waitForSelector('#wallet-confirm');
    // Nothing happens before the confirm step is completed.
    expect(fake.freezes).toHaveLength(0);
    await page.click('#wallet-freeze-cancel');
    await page.waitForSelector('#wallet-freeze');
    await page.click('#wallet-freeze');
    await page.fill('#wallet-freeze-reason', 'two payments the customer did not make');
    await page.click('#wallet-freeze-confirm');
    await poll(() => page.textContent('#wallet-notice')).toBe('Frozen. The customer is being told.');
    await poll(() => page.locator('#wallet-frozen').count()).toBe(1);
    expect(await page.locator('#wallet-freeze').count()).toBe(0);
    expect(fake.freezes.map((f) => f.body)).toEqual([{ reason: 'two payments the customer did not make', ticketNumber: ticket.number, agent: TEST_ADMIN.email }]);
    // The notice is on the thread as the admin's reply.
    await poll(() => page.locator('#thread li.message.outbound .message-text').allTextContents()).toEqual([expect.stringContaining('we have frozen your wallet account')]);
    await page.close();
  });

  it('speaks Chinese', async () => {
    const page = await signedInPage(TEST_ADMIN.email, TEST_ADMIN.password, 'zh-CN');
    await poll(() => page.textContent('#wallet h3')).toBe('钱包');
    expect(await page.textContent('#wallet-duplicate')).toContain('可能重复扣款');
    expect(await page.textContent('#wallet-frozen')).toContain('已从本工单冻结账户');
    await page.close();
  });
});
