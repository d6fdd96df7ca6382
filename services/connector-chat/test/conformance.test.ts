/**
 * The SDK's conformance kit for both chat connectors: Slack through signed Events API posts, and over
 * Socket Mode, with the local fake Web API; web chat through a WebSocket client.
 */
import { connectorConformance, type ConformanceSubject } from '@switchboard/connector-sdk/conformance';
import { HttpServer } from '@switchboard/http';
import { expect } from 'vitest';
import { eventually } from '@switchboard/testkit';
import { createSlackConnector, type SlackConnector } from '../src/slack/connector.ts';
import { createWebchatConnector, webchatSessionId, type WebchatConnector } from '../src/webchat/connector.ts';
import { APP_TOKEN, BOT_TOKEN, FakeSlackApi, messageEvent, postEvent, SIGNING_SECRET } from './helpers/slack.ts';
import { ChatClient } from './helpers/webchat.ts';
import { uniqueName } from './helpers/host.ts';

/** The kit's outbound check for Slack: a reply in the thread, posted to the fake Web API. */
const slackReplyInThread = (api: FakeSlackApi, threadTs: string): ConformanceSubject<SlackConnector>['outbound'] => ({
  message: (base) => ({
    ...base,
    channel: 'slack',
    account: 'T0WALLET1',
    conversationKey: `slack:T0WALLET1:C0SUPPORT:${threadTs}`,
    recipient: { id: 'U0CUSTOMER' },
    text: 'replaced by the kit',
  }),
  received: async (text) => api.posted().some((c) => c.params.text === text && c.params.thread_ts === threadTs && c.params.channel === 'C0SUPPORT'),
});

const slackApi = new FakeSlackApi();
const slackHttp = new HttpServer();
let slackApiUrl: string;
let slackBase: string;
const THREAD_TS = '1732480000.000900';
const slackEvent = (marker: string) => messageEvent({ text: `my card was charged twice ${marker}`, ts: THREAD_TS, eventId: 'Ev0CONFORM01' });

connectorConformance<SlackConnector>({
  name: 'slack',
  async setup() {
    slackApiUrl = await slackApi.start();
    slackBase = await slackHttp.listen();
  },
  async teardown() {
    await slackHttp.close();
    await slackApi.stop();
  },
  create() {
    const connector = createSlackConnector({ signingSecret: SIGNING_SECRET, botToken: BOT_TOKEN, botUserId: 'U0BOTUSER', apiUrl: slackApiUrl }, { name: uniqueName('slack') });
    slackHttp.mount(connector.routes);
    return connector;
  },
  async deliver(_connector, marker) {
    expect((await postEvent(slackBase, slackEvent(marker))).status).toBe(200);
  },
  async redeliver(_connector, marker) {
    expect((await postEvent(slackBase, slackEvent(marker), { retryNum: 1 })).status).toBe(200);
  },
  outbound: slackReplyInThread(slackApi, THREAD_TS),
});

const socketApi = new FakeSlackApi();
let socketApiUrl: string;
const SOCKET_THREAD_TS = '1732480000.000950';
const socketEvent = (marker: string) => messageEvent({ text: `my transfer is pending ${marker}`, ts: SOCKET_THREAD_TS, eventId: 'Ev0CONFORM02' });
const deliverOnSocket = async (body: string, retryAttempt: number) => {
  const envelopeId = socketApi.deliver(body, retryAttempt);
  await eventually(() => socketApi.acks.includes(envelopeId), 10_000, 'the acknowledgement');
};

connectorConformance<SlackConnector>({
  name: 'slack over Socket Mode',
  async setup() {
    socketApiUrl = await socketApi.start();
  },
  async teardown() {
    await socketApi.stop();
  },
  create() {
    return createSlackConnector(
      { signingSecret: SIGNING_SECRET, botToken: BOT_TOKEN, botUserId: 'U0BOTUSER', appToken: APP_TOKEN, apiUrl: socketApiUrl },
      { name: uniqueName('slack-socket') },
    );
  },
  deliver: (_connector, marker) => deliverOnSocket(socketEvent(marker), 0),
  redeliver: (_connector, marker) => deliverOnSocket(socketEvent(marker), 1),
  outbound: slackReplyInThread(socketApi, SOCKET_THREAD_TS),
});

const webHttp = new HttpServer();
let wsUrl: string;
const SESSION_TOKEN = 'conformance-session-token-0001';
const SESSION_ID = webchatSessionId(SESSION_TOKEN);
let browser: ChatClient | undefined;

connectorConformance<WebchatConnector>({
  name: 'webchat',
  async setup() {
    wsUrl = (await webHttp.listen()).replace('http', 'ws') + '/chat/ws';
  },
  async teardown() {
    await browser?.close();
    await webHttp.close();
  },
  create() {
    const connector = createWebchatConnector(undefined, { name: uniqueName('webchat') });
    webHttp.mount(connector.routes, connector.upgrades);
    return connector;
  },
  async deliver(_connector, marker) {
    browser = await ChatClient.connect(wsUrl);
    await browser.hello(SESSION_TOKEN);
    browser.send({ type: 'message', clientId: 'conformance-1', text: `I cannot log in ${marker}` });
    await browser.next('ack', (a) => a.clientId === 'conformance-1');
  },
  async redeliver() {
    // A resend after a dropped connection: another socket, same session and client id.
    const again = await ChatClient.connect(wsUrl);
    await again.hello(SESSION_TOKEN);
    again.send({ type: 'message', clientId: 'conformance-1', text: 'I cannot log in (resent)' });
    await again.next('ack', (a) => a.clientId === 'conformance-1');
    await again.close();
  },
  outbound: {
    message: (base) => ({ ...base, channel: 'webchat', account: 'web', conversationKey: `webchat:${SESSION_ID}`, recipient: { id: SESSION_ID }, text: 'replaced by the kit' }),
    received: async (text) => browser?.frames.some((f) => f.type === 'message' && f.entry.from === 'agent' && f.entry.text === text) ?? false,
  },
});
