/**
 * Verified web chat identity: the token the wallet's site signs, checked in identity.ts, and on the
 * WebSocket protocol through the SDK host on the real broker (sender.customerRef on the topic).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { HostedConnector } from '@switchboard/connector-sdk';
import { HttpServer } from '@switchboard/http';
import type { BatchingProducer } from '@switchboard/kafka';
import { maskSecrets, setLogSink } from '@switchboard/runtime';
import { InboundMessage } from '@switchboard/schema';
import { readAll, type kafkaForTest } from '@switchboard/testkit';
import { WEBCHAT_DEFAULTS, chatConfig, webchatConfigFromEnv } from '../src/config.ts';
import { createWebchatConnector, webchatSessionId } from '../src/webchat/connector.ts';
import { MAX_IDENTITY_LIFETIME_S, signWebchatIdentity, verifyWebchatIdentity } from '../src/webchat/identity.ts';
import { hostForTest, uniqueName } from './helpers/host.ts';
import { ChatClient } from './helpers/webchat.ts';

const SECRET = 'wallet-site-shared-secret-0123456789abcdef';
const NOW = new Date('2026-12-07T10:00:00Z');
const inHours = (hours: number, from = new Date()) => new Date(from.getTime() + hours * 3_600_000);

describe('identity tokens', () => {
  const token = signWebchatIdentity(SECRET, 'cus_8842', inHours(1, NOW));
  it('verifies what the site signed, and refuses anything else with a reason', () => {
    expect(token).toMatch(/^cus_8842\.\d+\.[0-9a-f]{64}$/);
    expect(verifyWebchatIdentity(SECRET, token, NOW)).toEqual({ ok: true, customerRef: 'cus_8842' });
    expect(verifyWebchatIdentity(SECRET, token.replace('cus_8842', 'cus_8843'), NOW)).toEqual({ ok: false, reason: 'invalid' });
    expect(verifyWebchatIdentity('another-secret-of-the-same-length-000000', token, NOW)).toEqual({ ok: false, reason: 'invalid' });
    expect(verifyWebchatIdentity(SECRET, token, inHours(2, NOW))).toEqual({ ok: false, reason: 'expired' });
    expect(verifyWebchatIdentity(undefined, token, NOW)).toEqual({ ok: false, reason: 'not_configured' });
    for (const broken of ['', 'cus_8842', 'cus_8842.123', 'cus 8842.1800000000.abc', `${token}0`]) expect(verifyWebchatIdentity(SECRET, broken, NOW)).toEqual({ ok: false, reason: 'invalid' });
  });
  it('keeps dots in the customer reference, and refuses a token that would live too long', () => {
    const dotted = signWebchatIdentity(SECRET, 'ann.lee@wallet.example', inHours(1, NOW));
    expect(verifyWebchatIdentity(SECRET, dotted, NOW)).toEqual({ ok: true, customerRef: 'ann.lee@wallet.example' });
    const forever = signWebchatIdentity(SECRET, 'cus_8842', new Date(NOW.getTime() + (MAX_IDENTITY_LIFETIME_S + 60) * 1000));
    expect(verifyWebchatIdentity(SECRET, forever, NOW)).toEqual({ ok: false, reason: 'invalid' });
  });
  it('reads the secret from WEBCHAT_IDENTITY_SECRET as a secret: masked in logs, never echoed', () => {
    expect(webchatConfigFromEnv({ WEBCHAT_IDENTITY_SECRET: SECRET })).toMatchObject({ identitySecret: SECRET });
    expect(maskSecrets(`secret ${SECRET}`)).toBe('secret ***');
    expect(chatConfig.secrets()).toContain('WEBCHAT_IDENTITY_SECRET');
    let refusal = '';
    try {
      webchatConfigFromEnv({ WEBCHAT_IDENTITY_SECRET: 'too-short-secret' });
    } catch (error) {
      refusal = String(error);
    }
    expect(refusal).toMatch(/WEBCHAT_IDENTITY_SECRET: at least 32 characters/);
    expect(refusal).not.toContain('too-short-secret');
  });
});

describe('verified web chat on the real broker', () => {
  let env: Awaited<ReturnType<typeof kafkaForTest>>;
  let producer: BatchingProducer;
  let hosted: HostedConnector;
  const http = new HttpServer();
  const clients: ChatClient[] = [];
  const logs: string[] = [];
  let wsUrl: string;
  const connect = async () => {
    const client = await ChatClient.connect(wsUrl);
    clients.push(client);
    return client;
  };
  const produced = async (id: string) => {
    const records = await readAll(env.kafka, env.topics.inbound);
    return InboundMessage.parse(JSON.parse(records.find((r) => r.value.includes(id))!.value));
  };

  beforeAll(async () => {
    setLogSink((line) => logs.push(line), 'debug');
    const connector = createWebchatConnector({ ...WEBCHAT_DEFAULTS, identitySecret: SECRET }, { name: uniqueName('webchat-identity') });
    ({ env, producer, hosted } = await hostForTest(connector));
    http.mount(connector.routes, connector.upgrades);
    wsUrl = (await http.listen()).replace('http', 'ws') + '/chat/ws';
  });
  afterAll(async () => {
    setLogSink((line) => process.stderr.write(line + '\n'));
    await Promise.all(clients.map((c) => c.close()));
    await hosted?.stop();
    await producer?.disconnect();
    await http.close();
  });

  it("sets sender.customerRef for a signed-in customer, in a conversation only their identity opens", async () => {
    const identity = signWebchatIdentity(SECRET, 'cus_8842', inHours(1));
    const signedIn = await connect();
    const welcome = await signedIn.hello(undefined, undefined, identity);
    expect(welcome).toMatchObject({ verified: true, sessionId: webchatSessionId(welcome.token, 'cus_8842') });
    signedIn.send({ type: 'message', clientId: 'verified-0001', text: 'Was I charged twice?' });
    const ack = await signedIn.next('ack');
    expect((await produced(ack.id)).sender).toEqual({ id: welcome.sessionId, customerRef: 'cus_8842' });

    // The same browser token without the identity (signed out) or with another customer's: other conversations.
    const anonymous = await (await connect()).hello(welcome.token);
    expect(anonymous).toMatchObject({ verified: false, sessionId: webchatSessionId(welcome.token), history: [] });
    const other = await (await connect()).hello(welcome.token, undefined, signWebchatIdentity(SECRET, 'cus_9001', inHours(1)));
    expect(other).toMatchObject({ verified: true, sessionId: webchatSessionId(welcome.token, 'cus_9001'), history: [] });
    const again = await (await connect()).hello(welcome.token, undefined, identity);
    expect(again.history.map((e) => e.text)).toEqual(['Was I charged twice?']);
  });

  it('tells the page an expired or forged identity was refused, and takes the message as anonymous', async () => {
    const expired = signWebchatIdentity(SECRET, 'cus_8842', inHours(-1));
    const client = await connect();
    const welcome = await client.hello(undefined, undefined, expired);
    expect(welcome.verified).toBe(false);
    expect(await client.next('error')).toMatchObject({ code: 'identity_refused', reason: 'expired', message: expect.stringMatching(/expired/) });
    client.send({ type: 'message', clientId: 'expired-0001', text: 'Hello?' });
    const ack = await client.next('ack');
    const message = await produced(ack.id);
    expect(message.sender).toEqual({ id: webchatSessionId(welcome.token) });

    const forged = await connect();
    await forged.hello(undefined, undefined, signWebchatIdentity('not-the-wallet-secret-0123456789abcdef', 'cus_8842', inHours(1)));
    expect(await forged.next('error')).toMatchObject({ code: 'identity_refused', reason: 'invalid' });
    const refusals = logs.filter((line) => line.includes('identity refused'));
    expect(refusals.length).toBe(2);
    expect(refusals.join('\n')).not.toMatch(/cus_8842|[0-9a-f]{64}/);
  });
});
