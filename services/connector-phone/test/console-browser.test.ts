/**
 * The hotline end to end, in Debian's Chromium: the whole pipeline in this process (startAllInOne with
 * the phone channel and the API channel, the router with the committed classifier, the ticket sink,
 * PostgreSQL), Twilio's callbacks signed and posted over HTTP, a PBX's CTI events, and the console
 * showing the calls, playing the voicemail and recording the call back as a task. Screenshots go to
 * test/artifacts/phone/.
 */
import { mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadAllInOneConfig, startAllInOne } from '@switchboard/all-in-one';
import type { RunningGateway } from '@switchboard/gateway';
import { eventually, startInProcess, TEST_ADMIN, type InProcess } from '@switchboard/testkit';
import type { TicketSummary, StoredMessage } from '@switchboard/ticket-store';
import { TWILIO_PATHS } from '../src/index.ts';
import { FakeTwilio, toneWav } from './fake-twilio.ts';
import { ACCOUNT_SID, AUTH_TOKEN, CALLER, LINE, recordingParams, statusParams, transcriptionParams, twilioSignature } from './twilio-fixtures.ts';

const TOKEN = 'phone-console-token-42';
const CTI_TOKEN = 'cti-console-token-0123456789';
const PUBLIC_URL = 'https://hotline.example.com';
const CHROMIUM_FLAGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update', '--no-first-run', '--disable-sync', '--autoplay-policy=no-user-gesture-required'];
const artifacts = fileURLToPath(new URL('../../../test/artifacts/phone/', import.meta.url));
const CALL = 'CA' + 'e5'.repeat(16);
const CHILD = 'CA' + 'f6'.repeat(16);
const RECORDING = 'RE' + 'a7'.repeat(16);
const TRANSCRIPT = 'Hello, my card was charged twice for the same order yesterday. Please call me back.';

const fake = new FakeTwilio(ACCOUNT_SID, AUTH_TOKEN);
let server: InProcess<RunningGateway>;
let browser: Browser;
let page: Page;
const poll = <T>(read: () => Promise<T> | T) => expect.poll(read, { timeout: 30_000, interval: 150 });

async function api<T>(path: string, body?: unknown): Promise<T> {
  const response = await server.call(path, body === undefined ? {} : { body });
  expect(response.status, await response.clone().text()).toBeLessThan(300);
  return (await response.json()) as T;
}

async function twilio(path: string, params: Record<string, string>): Promise<void> {
  const response = await fetch(server.url + path, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-twilio-signature': twilioSignature(AUTH_TOKEN, `${PUBLIC_URL}${path}`, params) },
    body: new URLSearchParams(params).toString(),
  });
  expect(response.status).toBe(204);
}

async function cti(event: Record<string, unknown>): Promise<void> {
  const response = await fetch(`${server.url}/webhooks/cti/${CTI_TOKEN}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(event) });
  expect(response.status).toBe(200);
}

beforeAll(async () => {
  mkdirSync(artifacts, { recursive: true });
  await fake.start();
  fake.addRecording(RECORDING, toneWav(2));
  server = await startInProcess((env) => startAllInOne(loadAllInOneConfig(env), { modules: ['phone', 'api'] }), TOKEN, {
    SWITCHBOARD_DATA_DIR: mkdtempSync(`${tmpdir()}/sb-phone-e2e-`),
    TWILIO_AUTH_TOKEN: AUTH_TOKEN,
    PHONE_PUBLIC_URL: PUBLIC_URL,
    TWILIO_API_BASE: fake.base,
    PHONE_CTI_TOKEN: CTI_TOKEN,
    PHONE_SETTLE_SECONDS: '1',
  });

  // The same customer wrote through another channel first, with their number.
  await api('/api/v1/messages', { externalId: 'order-77', sender: { id: 'customer-77', name: 'Wang Fang', phone: CALLER }, text: 'Where is my refund for order 77?' });
  // Nobody picks up; they leave a voicemail, which Twilio records and transcribes.
  const t0 = Date.now() - 120_000;
  const at = (s: number) => new Date(t0 + s * 1000);
  await twilio(TWILIO_PATHS.status, statusParams({ CallSid: CHILD, ParentCallSid: CALL, Direction: 'outbound-dial', CallStatus: 'no-answer' }, at(20)));
  await twilio(TWILIO_PATHS.recording, recordingParams({ CallSid: CALL, RecordingSid: RECORDING, RecordingUrl: fake.recordingUrl(RECORDING), RecordingDuration: '2' }, at(25)));
  await twilio(TWILIO_PATHS.status, statusParams({ CallSid: CALL, CallStatus: 'completed', CallDuration: '30', CallerName: 'WANG FANG' }, at(30)));
  await twilio(TWILIO_PATHS.transcription, transcriptionParams({ CallSid: CALL, RecordingSid: RECORDING, TranscriptionText: TRANSCRIPT }));
  // Later an agent takes their call on the PBX.
  const call = { callId: 'pbx-answered-1', from: '13800138000', to: '01065529988', direction: 'in' };
  await cti({ ...call, event: 'newCall' });
  await cti({ ...call, event: 'answer', user: 'Li Na', answeringNumber: '801' });
  await cti({ ...call, event: 'hangup', cause: 'normalClearing', answeringNumber: '801' });

  await eventually(
    async () => {
      const tickets = (await api<{ tickets: TicketSummary[] }>('/api/v1/tickets?channel=phone')).tickets;
      if (tickets.length !== 1) return false;
      const { messages } = await api<{ messages: StoredMessage[] }>(`/api/v1/tickets/${tickets[0]!.id}`);
      return messages.some((m) => m.text === TRANSCRIPT) && messages.some((m) => m.call?.outcome === 'answered');
    },
    60_000,
    'the voicemail ticket with its transcript and the answered call',
  );

  browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: CHROMIUM_FLAGS });
  page = await browser.newPage({ viewport: { width: 1366, height: 860 }, locale: 'en-GB' });
}, 120_000);

afterAll(async () => {
  await browser?.close();
  await server?.close();
  await fake.stop();
});

describe('the hotline in the console', () => {
  it('shows the voicemail ticket with both calls, plays the recording and records the call back as a task', async () => {
    const [ticket] = (await api<{ tickets: TicketSummary[] }>('/api/v1/tickets?channel=phone')).tickets;
    // The answered call is a note on the conversation: on the ticket, or beside it when it was stored first.
    expect(ticket).toMatchObject({ subject: 'Voicemail from +86 138 0013 8000', customer: { phone: CALLER } });

    await page.goto(`${server.url}/console`);
    await page.fill('#email', TEST_ADMIN.email);
    await page.fill('#password', TEST_ADMIN.password);
    await page.click('#login-submit');
    await page.waitForSelector('#tickets li[data-id]');
    await page.goto(`${server.url}/console#/tickets/${ticket!.id}`);
    await page.waitForSelector('#thread .call[data-outcome="voicemail"]');

    const voicemail = page.locator('#thread .call[data-outcome="voicemail"]');
    await poll(() => voicemail.textContent()).toContain('Incoming call');
    expect(await voicemail.textContent()).toContain('voicemail');
    expect(await voicemail.textContent()).toContain('duration 0:02');
    expect(await voicemail.textContent()).toContain(`line ${LINE}`);
    expect(await page.textContent('#thread .message:has(.call[data-outcome="voicemail"]) .message-text')).toBe(TRANSCRIPT);
    const answered = page.locator('#thread .call[data-outcome="answered"]');
    expect(await answered.textContent()).toContain('by 801');
    expect(await answered.getAttribute('data-direction')).toBe('inbound');

    // The customer's message on the other channel is one click away.
    await poll(() => page.locator('#related .related-item').count()).toBe(1);
    expect(await page.textContent('#related')).toMatch(/API SB-\d{6} \(Open\)/);

    // Replies are refused on this channel, and the page says what to do instead.
    await poll(() => page.textContent('#reply-window')).toContain('Record a task instead');
    expect(await page.isDisabled('#reply-text')).toBe(true);
    expect(await page.isDisabled('#reply-send')).toBe(true);

    // The recording plays from the attachment route, fetched with the token.
    await page.click('#thread .player .play');
    await page.waitForSelector('#thread .player audio');
    const audio = await page.evaluate(async () => {
      const element = document.querySelector<HTMLAudioElement>('#thread .player audio')!;
      if (Number.isNaN(element.duration) || element.readyState < 1) await new Promise((resolve, reject) => ((element.onloadedmetadata = resolve), (element.onerror = reject)));
      return { src: element.src, duration: element.duration };
    });
    expect(audio.src).toMatch(/^blob:/);
    expect(audio.duration).toBeCloseTo(2, 1);
    await page.screenshot({ path: `${artifacts}voicemail-ticket.png` });

    await page.fill('#task-text', 'Call Wang Fang back about the double charge');
    await page.click('#task-add');
    await poll(() => page.locator('#task-list .task').count()).toBe(1);
    await page.locator('#task-list .task input[type=checkbox]').check();
    await poll(() => page.locator('#task-list .task.done').count()).toBe(1);
    const { tasks } = await api<{ tasks: { text: string; doneAt?: string }[] }>(`/api/v1/tickets/${ticket!.id}`);
    expect(tasks).toEqual([expect.objectContaining({ text: 'Call Wang Fang back about the double charge', doneAt: expect.any(String) })]);
    await page.screenshot({ path: `${artifacts}voicemail-ticket-task.png` });
  }, 90_000);
});
