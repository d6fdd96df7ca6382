/**
 * The web chat in a real browser: Debian's Chromium driven by playwright-core, against the page,
 * widget and WebSocket mounted on an HttpServer, the SDK host and the real broker.
 */
import { mkdirSync, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InboundMessage } from '@switchboard/schema';
import type { BatchingProducer } from '@switchboard/kafka';
import { hostForTest, uniqueName } from './helpers/host.ts';
import type { HostedConnector } from '@switchboard/connector-sdk';
import { HttpServer } from '@switchboard/http';
import { type kafkaForTest, readAll, readTopic } from '@switchboard/testkit';
import { WEBCHAT_DEFAULTS } from '../src/config.ts';
import { createWebchatConnector, webchatSessionId } from '../src/webchat/connector.ts';
import { signWebchatIdentity } from '../src/webchat/identity.ts';
import { agentReply, ChatClient } from './helpers/webchat.ts';

const artifacts = fileURLToPath(new URL('./artifacts/', import.meta.url));
const IDENTITY_SECRET = 'wallet-site-shared-secret-0123456789abcdef';
const CHROMIUM_FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update'];

/** A stand-in for the wallet's site: one script tag embeds the chat. */
const WALLET_PAGE = `<!doctype html><html><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Wallet</title><script src="/chat/widget.js" data-lang="en" async></script></head>
<body style="margin:0;font-family:sans-serif;background:#fafafa"><header style="padding:16px;background:#222;color:#fff">My Wallet</header>
<main style="padding:16px"><h2>Balance</h2><p>1,234.56 USD</p></main></body></html>`;

describe('web chat in Chromium', () => {
  let env: Awaited<ReturnType<typeof kafkaForTest>>;
  let producer: BatchingProducer;
  let hosted: HostedConnector;
  let context: BrowserContext;
  let page: Page;
  let base: string;
  let profileDir: string;
  const http = new HttpServer();
  const dialogs: string[] = [];

  beforeAll(async () => {
    mkdirSync(artifacts, { recursive: true });
    const connector = createWebchatConnector({ ...WEBCHAT_DEFAULTS, identitySecret: IDENTITY_SECRET }, { name: uniqueName('webchat') });
    ({ env, producer, hosted } = await hostForTest(connector));
    http.mount(connector.routes, connector.upgrades);
    http.mount([{ method: 'GET', path: '/wallet', handle: async () => ({ status: 200, headers: { 'content-type': 'text/html; charset=utf-8' }, body: WALLET_PAGE }) }]);
    base = await http.listen();
    profileDir = mkdtempSync(join(tmpdir(), 'sb-chromium-'));
    context = await chromium.launchPersistentContext(profileDir, { executablePath: '/usr/bin/chromium', headless: true, args: CHROMIUM_FLAGS, viewport: { width: 1024, height: 768 } });
    page = context.pages()[0] ?? (await context.newPage());
    context.on('dialog', (dialog) => {
      dialogs.push(dialog.message());
      void dialog.dismiss();
    });
  }, 60_000);

  afterAll(async () => {
    await context?.close();
    await hosted?.stop();
    await producer?.disconnect();
    await http.close();
    if (profileDir) rmSync(profileDir, { recursive: true, force: true });
  });

  const customerBubble = (text: string) => page.locator('li.message.customer', { hasText: text });

  it('asks for a name and email, sends a message and shows the acknowledgement', async () => {
    await page.goto(`${base}/chat?lang=en`);
    await expect.poll(() => page.locator('#title').textContent()).toBe('Customer service');
    await page.locator('#profile').waitFor({ state: 'visible' });
    await page.fill('#name', 'Chen Jing');
    await page.fill('#email', 'chen.jing@example.com');
    await page.click('#start');
    await page.locator('#composer').waitFor({ state: 'visible' });
    await page.fill('#input', 'Where is my refund for order 8812?');
    await page.press('#input', 'Enter');
    await customerBubble('Where is my refund for order 8812?').and(page.locator('[data-status="sent"]')).waitFor({ timeout: 15_000 });
    const records = await readTopic(env.kafka, env.topics.inbound, (rs) => rs.some((r) => r.value.includes('order 8812')));
    const message = InboundMessage.parse(JSON.parse(records.find((r) => r.value.includes('order 8812'))!.value));
    expect(message.sender).toMatchObject({ name: 'Chen Jing', address: 'chen.jing@example.com' });
    expect(await page.locator('#status').getAttribute('data-state')).toBe('online');
  });

  it('shows the history after a reload', async () => {
    await page.reload();
    await customerBubble('Where is my refund for order 8812?').and(page.locator('[data-status="sent"]')).waitFor({ timeout: 10_000 });
    expect(await page.locator('#profile').isHidden()).toBe(true);
    expect(await page.locator('li.message.customer').count()).toBe(1);
  });

  it('shows an agent reply produced to the outbound topic', async () => {
    const token = await page.evaluate(() => localStorage.getItem('switchboard.chat.session-token'));
    expect(token).toBeTruthy();
    const sessionId = webchatSessionId(token!);
    const reply = agentReply(sessionId, 'out_browser_reply_1', 'Your refund was issued today and arrives within 3 days.', 'SB-008812');
    await producer.sendJson(env.topics.outbound, [{ key: reply.conversationKey, value: reply }]);
    await page.locator('li.message.agent', { hasText: 'Your refund was issued today' }).waitFor({ timeout: 20_000 });
  });

  it('renders markup typed by the customer as text', async () => {
    const hostile = '<img src=x onerror=alert(1)>';
    await page.fill('#input', hostile);
    await page.click('#send');
    const bubble = customerBubble(hostile).and(page.locator('[data-status="sent"]'));
    await bubble.waitFor({ timeout: 10_000 });
    expect(await bubble.locator('.text').textContent()).toBe(hostile);
    expect(await page.locator('#messages img').count()).toBe(0);
    await page.waitForTimeout(200);
    expect(dialogs).toEqual([]);
  });

  it('resends what was not acknowledged before the connection dropped, without duplicates', async () => {
    const token = (await page.evaluate(() => localStorage.getItem('switchboard.chat.session-token')))!;
    const sessionId = webchatSessionId(token);
    // The server got this one but the page never saw the ack; the other never reached the server.
    const other = await ChatClient.connect(`${base.replace('http', 'ws')}/chat/ws`);
    await other.hello(token);
    other.send({ type: 'message', clientId: 'ack-lost-0001', text: 'ack lost on the way' });
    await other.next('ack');
    await other.close();
    await page.evaluate(() => {
      const at = new Date().toISOString();
      localStorage.setItem('switchboard.chat.outbox', JSON.stringify([
        { clientId: 'ack-lost-0001', text: 'ack lost on the way', at },
        { clientId: 'never-arrived-01', text: 'sent while offline', at },
      ]));
    });
    await page.reload();
    await customerBubble('sent while offline').and(page.locator('[data-status="sent"]')).waitFor({ timeout: 10_000 });
    expect(await customerBubble('ack lost on the way').count()).toBe(1);
    expect(await page.evaluate(() => localStorage.getItem('switchboard.chat.outbox'))).toBe('[]');
    await readTopic(env.kafka, env.topics.inbound, (rs) => rs.some((r) => r.value.includes('sent while offline')));
    await page.waitForTimeout(300);
    const all = await readAll(env.kafka, env.topics.inbound);
    expect(all.filter((r) => r.value.includes(`${sessionId}:ack-lost-0001`))).toHaveLength(1);
    expect(all.filter((r) => r.value.includes(`${sessionId}:never-arrived-01`))).toHaveLength(1);
  });

  it('speaks Chinese when asked', async () => {
    const zh = await context.newPage();
    await zh.goto(`${base}/chat?lang=zh`);
    await expect.poll(() => zh.locator('#title').textContent()).toBe('在线客服');
    await expect.poll(() => zh.locator('#input').getAttribute('placeholder')).toBe('请输入消息…');
    await zh.close();
  });

  it('embeds with one script tag and fits a phone screen', async () => {
    const phone = await context.newPage();
    await phone.setViewportSize({ width: 390, height: 844 });
    await phone.goto(`${base}/wallet`);
    const button = phone.locator('#switchboard-chat-button');
    await button.waitFor();
    await phone.screenshot({ path: join(artifacts, 'webchat-phone-closed.png') });
    await button.click();
    const frame = phone.frameLocator('#switchboard-chat-frame');
    await frame.locator('#status[data-state="online"]').waitFor({ timeout: 10_000 });
    await frame.locator('li.message.agent').waitFor();
    const box = await phone.locator('#switchboard-chat-frame').boundingBox();
    expect(box).toMatchObject({ x: 0, y: 0, width: 390, height: 844 });
    const composerBox = await frame.locator('#composer').boundingBox();
    expect(composerBox!.y + composerBox!.height).toBeLessThanOrEqual(844);
    expect(composerBox!.width).toBeLessThanOrEqual(390);
    await phone.screenshot({ path: join(artifacts, 'webchat-phone-widget.png') });
    expect(statSync(join(artifacts, 'webchat-phone-widget.png')).size).toBeGreaterThan(5_000);
    await frame.locator('#close').click();
    await button.waitFor({ state: 'visible' });
    expect(await phone.locator('#switchboard-chat-frame').isHidden()).toBe(true);
    await phone.close();
  });

  it("takes a signed-in customer's identity from the fragment, keeps it out of the address bar, and asks no name", async () => {
    const signed = await context.newPage();
    const identity = signWebchatIdentity(IDENTITY_SECRET, 'cus_7731', new Date(Date.now() + 3_600_000));
    await signed.goto(`${base}/chat?lang=en#identity=${encodeURIComponent(identity)}`);
    await signed.locator('#composer').waitFor({ state: 'visible' });
    expect(signed.url()).toBe(`${base}/chat?lang=en`);
    expect(await signed.locator('#profile').isHidden()).toBe(true);
    await signed.reload();
    await signed.fill('#input', 'Freeze my account please');
    await signed.press('#input', 'Enter');
    await signed.locator('li.message.customer[data-status="sent"]', { hasText: 'Freeze my account' }).waitFor({ timeout: 15_000 });
    const records = await readTopic(env.kafka, env.topics.inbound, (rs) => rs.some((r) => r.value.includes('Freeze my account')));
    const message = InboundMessage.parse(JSON.parse(records.find((r) => r.value.includes('Freeze my account'))!.value));
    // After the reload too: the tab kept the identity, the address bar did not.
    expect(message.sender.customerRef).toBe('cus_7731');
    await signed.close();
  });
});
