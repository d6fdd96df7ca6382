/**
 * A team in Chromium: two agents signed in at once (one replies, the other sees it without a reload),
 * an analyst who reads masked names and is refused a reply, an account locked after failed sign-ins,
 * single sign-on through a real OpenID Connect provider (oidc-provider on loopback), and the audit trail
 * listing all of it. The whole pipeline runs in this process on a real broker and PostgreSQL.
 */
import { mkdirSync } from 'node:fs';
import type { Server } from 'node:http';
import { fileURLToPath } from 'node:url';
import Provider from 'oidc-provider';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadAllInOneConfig, startAllInOne } from '@switchboard/all-in-one';
import type { RunningGateway } from '@switchboard/gateway';
import { apiCaller, eventually, freePort, freshDatabase, kafkaForTest, routedMessage, TEST_ADMIN, TEST_ADMIN_ENV } from '@switchboard/testkit';

const artifacts = fileURLToPath(new URL('../artifacts/team/', import.meta.url));
const CHROMIUM_FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run', '--disable-sync'];
const TOKEN = 'team-e2e-machine-token';
const PASSWORD = 'an-agent-passphrase';
const OIDC_SECRET = 'oidc-client-secret-for-the-test';
const poll = <T>(read: () => Promise<T> | T) => expect.poll(read, { timeout: 20_000, interval: 100 });

let running: RunningGateway;
let database: Awaited<ReturnType<typeof freshDatabase>>;
let idp: Server;
let browser: Browser;
let call: Awaited<ReturnType<typeof apiCaller>>;
let paymentId = '';

async function signedInPage(email: string, password: string): Promise<{ context: BrowserContext; page: Page }> {
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 }, locale: 'en-GB' });
  const page = await context.newPage();
  await page.goto(`${running.url}/console`);
  await page.fill('#email', email);
  await page.fill('#password', password);
  await page.click('#login-submit');
  await page.waitForSelector('#tickets');
  await poll(() => page.textContent('#live-state')).toBe('Live');
  return { context, page };
}

beforeAll(async () => {
  mkdirSync(artifacts, { recursive: true });
  const [port, idpPort] = [await freePort(), await freePort()];
  const url = `http://127.0.0.1:${port}`;
  const issuer = `http://127.0.0.1:${idpPort}`;
  // The team's identity provider: oidc-provider with its development login form (any login, any password).
  const provider = new Provider(issuer, {
    clients: [{ client_id: 'switchboard', client_secret: OIDC_SECRET, redirect_uris: [`${url}/api/v1/session/oidc/callback`], grant_types: ['authorization_code'], response_types: ['code'] }],
    claims: { openid: ['sub'], email: ['email', 'email_verified'], profile: ['name'] },
    findAccount: async (_ctx, id) => ({ accountId: id, claims: async () => ({ sub: id, email: `${id}@idp.example`, email_verified: true, name: `IdP ${id}` }) }),
    cookies: { keys: ['oidc-cookie-key-for-the-test'] },
  });
  idp = provider.listen(idpPort, '127.0.0.1');

  const { prefix } = await kafkaForTest();
  database = await freshDatabase();
  const config = loadAllInOneConfig({
    ...process.env,
    ...TEST_ADMIN_ENV,
    SWITCHBOARD_TOPIC_PREFIX: prefix,
    DATABASE_URL: database.url,
    PORT: String(port),
    SWITCHBOARD_PUBLIC_URL: url,
    SWITCHBOARD_API_TOKEN: TOKEN,
    SWITCHBOARD_OIDC_ISSUER: issuer,
    SWITCHBOARD_OIDC_CLIENT_ID: 'switchboard',
    SWITCHBOARD_OIDC_CLIENT_SECRET: OIDC_SECRET,
  });
  running = await startAllInOne(config, { modules: ['api'] });
  call = await apiCaller(running.url, TOKEN);
  const team = (await (await call('/api/v1/teams', { body: { name: 'Payments', categories: ['transaction'] } })).json()) as { team: { id: string } };
  for (const [name, role, teamIds] of [['ann', 'agent', [team.team.id]], ['bo', 'agent', [team.team.id]], ['ana', 'analyst', []], ['lou', 'agent', []]] as const) {
    const created = await call('/api/v1/users', { body: { email: `${name}@wallet.test`, name: name.toUpperCase(), role, password: PASSWORD, teamIds } });
    expect(created.status, await created.clone().text()).toBe(201);
  }
  const payment = routedMessage({ conversationKey: 'team-e2e-payment', category: 'transaction', sender: { id: 'chen.jing@customer.example', name: 'Chen Jing', address: 'chen.jing@customer.example' }, text: 'My payment to the cinema failed but the money is gone.' });
  paymentId = (await running.store.writeRouted([payment])).newTickets[0]!.id;
  browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_FLAGS });
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await running?.stop();
  await database?.drop();
  await new Promise((resolve) => idp?.close(resolve));
});

describe('the team in the console', () => {
  it('shows one agent’s reply to another agent on the same ticket without a reload', async () => {
    const ann = await signedInPage('ann@wallet.test', PASSWORD);
    const bo = await signedInPage('bo@wallet.test', PASSWORD);
    for (const { page } of [ann, bo]) {
      await page.locator(`#tickets li[data-id="${paymentId}"] a`).click();
      await page.waitForSelector('#thread li.message.inbound');
    }
    await ann.page.fill('#reply-text', 'We have found the payment and are reversing it.');
    await ann.page.click('#reply-send');
    const seenByBo = bo.page.locator('#thread li.message.outbound', { hasText: 'We have found the payment and are reversing it.' });
    await seenByBo.waitFor({ timeout: 20_000 });
    expect(await seenByBo.locator('.message-meta strong').textContent()).toBe('ANN');
    await bo.page.screenshot({ path: `${artifacts}agent-sees-colleague-reply.png` });
    // A new ticket reaches both inboxes live too.
    const fresh = (await running.store.writeRouted([routedMessage({ conversationKey: 'team-e2e-fresh', category: 'transaction', sender: { id: 'wu@customer.example', name: 'Wu Min' } })])).newTickets[0]!;
    for (const { page } of [ann, bo]) await page.locator(`#tickets li[data-id="${fresh.id}"]`).waitFor({ timeout: 20_000 });
    await ann.context.close();
    await bo.context.close();
  });

  it('gives an analyst masked names, no reply box, and a 403 for a reply sent anyway', async () => {
    const ana = await signedInPage('ana@wallet.test', PASSWORD);
    const row = ana.page.locator(`#tickets li[data-id="${paymentId}"]`);
    await poll(() => row.locator('.customer').textContent()).toBe('C••• J•••');
    await row.locator('a').click();
    await ana.page.waitForSelector('#thread li.message.inbound');
    expect(await ana.page.textContent('#thread')).not.toContain('Chen Jing');
    expect(await ana.page.locator('#reply-text').count()).toBe(0);
    expect(await ana.page.textContent('#read-only')).toBe('Your role reads tickets; it does not answer them.');
    expect(await ana.page.locator('#ticket-status').count()).toBe(0);
    const status = await ana.page.evaluate(async (id) => {
      const csrf = decodeURIComponent(/csrf_token=([^;]*)/.exec(document.cookie)?.[1] ?? '');
      const response = await fetch(`/api/v1/tickets/${id}/replies`, { method: 'POST', headers: { 'content-type': 'application/json', 'x-csrf-token': csrf }, body: JSON.stringify({ text: 'sneaky' }) });
      return response.status;
    }, paymentId);
    expect(status).toBe(403);
    await ana.page.screenshot({ path: `${artifacts}analyst-masked.png` });
    await ana.context.close();
  });

  it('locks an account after repeated failed sign-ins, and says so', async () => {
    const context = await browser.newContext({ locale: 'en-GB' });
    const page = await context.newPage();
    await page.goto(`${running.url}/console`);
    await page.fill('#email', 'lou@wallet.test');
    for (let i = 0; i < 5; i++) {
      await page.fill('#password', `wrong-password-${i}`);
      await page.click('#login-submit');
      await poll(() => page.textContent('#login-error')).toMatch(i < 4 ? /^Wrong email or password\.$/ : /^This account is locked/);
      if (i < 4) await page.evaluate(() => (document.getElementById('login-error')!.textContent = ''));
    }
    await page.fill('#password', PASSWORD);
    await page.click('#login-submit');
    await poll(() => page.textContent('#login-error')).toMatch(/^This account is locked after repeated failed sign-ins, until /);
    await page.screenshot({ path: `${artifacts}locked.png` });
    await context.close();
  });

  it('signs in through the identity provider, as a new agent', async () => {
    const context = await browser.newContext({ locale: 'en-GB' });
    const page = await context.newPage();
    await page.goto(`${running.url}/console`);
    await page.click('#login-sso');
    await page.waitForSelector('input[name="login"]');
    await page.fill('input[name="login"]', 'mei');
    await page.fill('input[name="password"]', 'anything');
    await page.click('button[type="submit"]');
    await page.waitForSelector('button.login-submit');
    await page.click('button.login-submit');
    await page.waitForURL(`${running.url}/console**`, { timeout: 20_000 }).catch(async (error: unknown) => {
      throw new Error(`not back at the console: ${page.url()}: ${(await page.textContent('body'))?.slice(0, 500)}; ${String(error)}`);
    });
    await page.waitForSelector('#tickets');
    await poll(() => page.textContent('#me')).toBe('IdP mei · Agent');
    await context.close();
  });

  it('lists all of it in the audit trail, for an admin', async () => {
    const admin = await signedInPage(TEST_ADMIN.email, TEST_ADMIN.password);
    await admin.page.click('nav a[href="#/audit"]');
    await admin.page.waitForSelector('#audit-rows tr');
    const rows = async () => admin.page.locator('#audit-rows tr').evaluateAll((trs) => trs.map((tr) => Array.from(tr.querySelectorAll('td'), (td) => td.textContent ?? '')));
    const has = async (who: string, action: string) => (await rows()).some((cells) => cells[1] === who && cells[2] === action);
    await eventually(async () => (await has('ann@wallet.test', 'ticket.reply')) && (await has('ann@wallet.test', 'session.create')), 10_000, 'ann’s sign-in and reply');
    expect(await has('bo@wallet.test', 'ticket.view')).toBe(true);
    expect(await has('ana@wallet.test', 'ticket.view')).toBe(true);
    expect(await has('lou@wallet.test', 'session.locked')).toBe(true);
    expect(await has('lou@wallet.test', 'session.refused')).toBe(true);
    expect(await has('mei@idp.example', 'session.create')).toBe(true);
    expect(await has(TEST_ADMIN.email, 'user.create')).toBe(true);
    await admin.page.screenshot({ path: `${artifacts}audit.png`, fullPage: true });
    await admin.page.click('nav a[href="#/team"]');
    await poll(() => admin.page.locator('#team-rows tr[data-email="lou@wallet.test"] .user-state').textContent()).toBe('locked');
    await admin.context.close();
  });
});
