/**
 * The reply window in the console, in Debian's Chromium over the whole pipeline (startAllInOne: router,
 * ticket sink, PostgreSQL, the gateway's HTTP server with the console) and this connector pointed at the
 * fake Graph API. One fixed clock for the reply API and the page (playwright's page.clock), so "closes in"
 * reads exactly. Customers write through signed webhooks at chosen times before it.
 */
import { mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TicketSummary } from '@switchboard/ticket-store';
import { loadAllInOneConfig, startAllInOne } from '@switchboard/all-in-one';
import type { RunningGateway } from '@switchboard/gateway';
import { eventually, startInProcess, TEST_ADMIN, type InProcess } from '@switchboard/testkit';
import { MetaConnector, WEBHOOK_PATH } from '../src/index.ts';
import type { FakeGraph } from './fake-graph.ts';
import { APP_SECRET, metaConfig, NUMBER, PAGE, startFakeGraph } from './harness.ts';
import { messagingText, signedPost, whatsappStatus, whatsappText } from './payloads.ts';

const TOKEN = 'meta-console-browser-token-23';
const HOUR = 3_600_000;
const NOW = Math.floor(Date.now() / 60_000) * 60_000;
const CHROMIUM_FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run', '--disable-sync'];
const artifacts = fileURLToPath(new URL('../../../test/artifacts/meta/', import.meta.url));
const poll = <T>(read: () => Promise<T> | T) => expect.poll(read, { timeout: 20_000, interval: 100 });

/** Who writes, where, and how long before NOW. */
const CUSTOMERS = {
  whatsappRecent: { channel: 'whatsapp', id: '16505551234', name: 'Sheena Nelson', hours: 23, text: 'I was charged twice for my top-up' },
  whatsappOld: { channel: 'whatsapp', id: '233241234567', name: 'Kwame Mensah', hours: 48, text: 'Where is the refund you promised?' },
  messengerOld: { channel: 'messenger', id: '6543210987654321', hours: 48, text: 'My card was blocked at the airport' },
  messengerClosed: { channel: 'messenger', id: '7788990011223344', hours: 8 * 24, text: 'Please close my account' },
} as const;
type Customer = (typeof CUSTOMERS)[keyof typeof CUSTOMERS];

let fake: FakeGraph;
let server: InProcess<RunningGateway>;
let browser: Browser;
let page: Page;
const ticketOf = new Map<Customer, TicketSummary>();

function api(path: string, init: { method?: string; body?: unknown } = {}): Promise<Response> {
  return server.call(path, init);
}

async function write(customer: Customer, n: number): Promise<void> {
  const at = NOW - customer.hours * HOUR;
  const payload =
    customer.channel === 'whatsapp'
      ? whatsappText(NUMBER.phoneNumberId, customer.id, customer.name, `wamid.console-${n}`, customer.text, at / 1000)
      : messagingText('page', PAGE.pageId, customer.id, `m_console_${n}`, customer.text, at);
  fake.customerWrote(customer.channel === 'whatsapp' ? NUMBER.phoneNumberId : PAGE.pageId, customer.id, at);
  expect((await signedPost(server.url + WEBHOOK_PATH, APP_SECRET, payload)).status).toBe(200);
}

async function open(customer: Customer): Promise<void> {
  await page.goto(`${server.url}/console#/tickets/${encodeURIComponent(ticketOf.get(customer)!.id)}`);
  await page.waitForSelector('#thread li.message.inbound');
}

async function reply(text: string): Promise<ReturnType<Page['locator']>> {
  await page.fill('#reply-text', text);
  await page.click('#reply-send');
  const sent = page.locator('#thread li.message.outbound', { hasText: text });
  await sent.waitFor({ timeout: 15_000 });
  return sent;
}

beforeAll(async () => {
  mkdirSync(artifacts, { recursive: true });
  fake = await startFakeGraph();
  server = await startInProcess(
    (env) => startAllInOne(loadAllInOneConfig(env), { modules: ['api'], connectors: [new MetaConnector(metaConfig(fake.base))], now: () => new Date(NOW) }),
    TOKEN,
  );
  fake.webhook = { url: server.url + WEBHOOK_PATH, appSecret: APP_SECRET };
  let n = 0;
  for (const customer of Object.values(CUSTOMERS)) await write(customer, ++n);
  await eventually(async () => {
    const { tickets } = (await (await api('/api/v1/tickets')).json()) as { tickets: TicketSummary[] };
    for (const customer of Object.values(CUSTOMERS)) {
      const ticket = tickets.find((t) => t.customer.id === customer.id);
      if (ticket) ticketOf.set(customer, ticket);
    }
    return ticketOf.size === 4;
  }, 30_000, 'four Meta tickets');

  browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_FLAGS });
  page = await browser.newPage({ viewport: { width: 1366, height: 800 }, locale: 'en-GB' });
  // The page's clock is the reply API's: the banner counts down from the same instant.
  await page.clock.setFixedTime(new Date(NOW));
  await page.goto(`${server.url}/console`);
  await page.fill('#email', TEST_ADMIN.email);
  await page.fill('#password', TEST_ADMIN.password);
  await page.click('#login-submit');
  await page.waitForSelector('#tickets li[data-id]');
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await server?.close();
  await fake?.close();
});

describe('the reply window of Meta tickets in the console', () => {
  it('WhatsApp, 23 h after the customer wrote: closes in 1 h; the reply goes out as text, then shows read', async () => {
    await open(CUSTOMERS.whatsappRecent);
    await poll(() => page.textContent('#reply-window')).toBe('Reply window closes in 1 h 0 min.');
    expect(await page.getAttribute('#reply-window', 'class')).toBe('reply-window');
    expect(await page.isEnabled('#reply-send')).toBe(true);
    expect(await page.textContent('#conversation .customer')).toBe('Sheena Nelson · +16505551234');
    await page.screenshot({ path: `${artifacts}whatsapp-open-window.png` });

    const sent = await reply('We refunded the second top-up.');
    await poll(() => sent.getAttribute('data-state')).toBe('sent');
    const request = fake.sent.find((s) => s.body.text?.body === 'We refunded the second top-up.')!;
    expect(request.body).toMatchObject({ type: 'text', to: CUSTOMERS.whatsappRecent.id });
    fake.afterwards(whatsappStatus(NUMBER.phoneNumberId, CUSTOMERS.whatsappRecent.id, request.id, 'read', Math.floor(Date.now() / 1000)));
    await poll(() => sent.getAttribute('data-state')).toBe('read');
    expect(await sent.locator('.delivery').textContent()).toBe('Read');
  });

  it('WhatsApp, two days on: the window has closed and the reply goes out inside the approved template', async () => {
    await open(CUSTOMERS.whatsappOld);
    await poll(() => page.textContent('#reply-window')).toBe('The 24-hour customer-service window has closed: your reply goes out inside the approved WhatsApp template.');
    expect(await page.isEnabled('#reply-send')).toBe(true);
    await page.screenshot({ path: `${artifacts}whatsapp-template.png` });
    const sent = await reply('Your refund left our bank today.');
    await poll(() => sent.getAttribute('data-state')).toBe('sent');
    expect(fake.sent.at(-1)!.body).toMatchObject({ type: 'template', template: { name: 'support_reply', components: [{ parameters: [{ text: ticketOf.get(CUSTOMERS.whatsappOld)!.number }, { text: 'Your refund left our bank today.' }] }] } });
  });

  it("Messenger, two days on: Meta's human-agent tag, closing in 5 days", async () => {
    await open(CUSTOMERS.messengerOld);
    await poll(() => page.textContent('#reply-window')).toBe(
      "More than 24 h since the customer wrote: your reply goes out with Meta's human-agent tag (allowed up to 7 days). Reply window closes in 5 d 0 h.",
    );
    const sent = await reply('Your card is unblocked; you can pay again.');
    await poll(() => sent.getAttribute('data-state')).toBe('sent');
    expect(fake.sent.at(-1)!.body).toMatchObject({ messaging_type: 'MESSAGE_TAG', tag: 'HUMAN_AGENT', recipient: { id: CUSTOMERS.messengerOld.id } });
  });

  it('Messenger, eight days on: closed, no send button, and the reply API refuses before queueing', async () => {
    await open(CUSTOMERS.messengerClosed);
    await poll(() => page.textContent('#reply-window')).toBe('Reply window closed: the customer must write first.');
    expect(await page.getAttribute('#reply-window', 'class')).toBe('reply-window closed');
    expect(await page.isDisabled('#reply-send')).toBe(true);
    await page.screenshot({ path: `${artifacts}messenger-closed.png` });
    const refused = await api(`/api/v1/tickets/${ticketOf.get(CUSTOMERS.messengerClosed)!.id}/replies`, { body: { text: 'Hello?' } });
    expect(refused.status).toBe(409);
    expect(await refused.json()).toMatchObject({ code: 'window-closed', error: expect.stringContaining('7 days') });
  });

  it('a revoked page token: the reply shows failed with the reason, and /readyz and the pipeline panel name the variable to replace', async () => {
    fake.revoke(PAGE.token, 463);
    await open(CUSTOMERS.messengerOld);
    const failed = await reply('One more detail about your card.');
    await poll(() => failed.getAttribute('data-state')).toBe('failed');
    expect(await failed.locator('.delivery').textContent()).toMatch(/^Failed: access token rejected by Meta: the token expired — .*\(190\/463\)$/);

    const readiness = (await (await fetch(`${server.url}/readyz`)).json()) as { status: string; channels: Record<string, { ready: boolean; status: string }> };
    expect(readiness.status).toBe('degraded');
    expect(readiness.channels.meta).toMatchObject({ ready: false, status: expect.stringContaining('META_PAGE_ACCESS_TOKEN') });
    await page.click('nav a[href="#/pipeline"]');
    const channel = page.locator('#channels li[data-channel="meta"]');
    await poll(() => channel.getAttribute('class')).toBe('down');
    expect(await channel.textContent()).toContain('META_PAGE_ACCESS_TOKEN');
    expect(await page.content()).not.toContain(PAGE.token);
    await page.screenshot({ path: `${artifacts}pipeline-token-rejected.png` });
  });
});
