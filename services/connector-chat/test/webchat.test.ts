/**
 * The web chat's WebSocket protocol on the real broker, through the SDK host: ack after Kafka,
 * resends not duplicated, limits, history replay, agent replies from the outbound topic.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { InboundMessage } from '@switchboard/schema';
import type { BatchingProducer } from '@switchboard/kafka';
import { hostForTest, uniqueName } from './helpers/host.ts';
import type { HostedConnector } from '@switchboard/connector-sdk';
import { HttpServer } from '@switchboard/http';
import { type kafkaForTest, readAll } from '@switchboard/testkit';
import { WEBCHAT_DEFAULTS } from '../src/config.ts';
import { createWebchatConnector, webchatMessageId, webchatSessionId } from '../src/webchat/connector.ts';
import { SessionStore } from '../src/webchat/sessions.ts';
import { SlidingWindowLimiter } from '../src/webchat/limits.ts';
import { agentReply, ChatClient } from './helpers/webchat.ts';

describe('web chat protocol', () => {
  let env: Awaited<ReturnType<typeof kafkaForTest>>;
  let producer: BatchingProducer;
  let hosted: HostedConnector;
  const http = new HttpServer();
  let base: string;
  let wsUrl: string;
  const clients: ChatClient[] = [];
  const connect = async (headers?: Record<string, string>) => {
    const client = await ChatClient.connect(wsUrl, headers);
    clients.push(client);
    return client;
  };

  beforeAll(async () => {
    const connector = createWebchatConnector({ ...WEBCHAT_DEFAULTS, maxConnectionsPerIp: 6, rateLimit: { messages: 5, windowMs: 10_000 } }, { name: uniqueName('webchat') });
    ({ env, producer, hosted } = await hostForTest(connector));
    http.mount(connector.routes, connector.upgrades);
    base = await http.listen();
    wsUrl = base.replace('http', 'ws') + '/chat/ws';
  });

  afterAll(async () => {
    await Promise.all(clients.map((c) => c.close()));
    await hosted?.stop();
    await producer?.disconnect();
    await http.close();
  });

  it('acknowledges a message once it is in Kafka, and recognises a resend after a reconnect', async () => {
    const first = await connect();
    const welcome = await first.hello(undefined, { name: 'Li Wei', email: 'li.wei@example.com' });
    expect(welcome.token).toMatch(/^[A-Za-z0-9_-]{22,}$/);
    expect(welcome.sessionId).toBe(webchatSessionId(welcome.token));
    expect(welcome.sessionId).not.toBe(welcome.token);
    expect(welcome.history).toEqual([]);
    first.send({ type: 'message', clientId: 'client-0001', text: '  My transfer to Alipay is pending  ' });
    const ack = await first.next('ack');
    expect(ack).toEqual({ type: 'ack', clientId: 'client-0001', id: webchatMessageId(welcome.sessionId, 'client-0001') });
    // The ack came after the produce was acknowledged: the record is on the topic.
    const all = await readAll(env.kafka, env.topics.inbound);
    const message = InboundMessage.parse(JSON.parse(all.find((r) => r.value.includes(ack.id))!.value));
    expect(message).toMatchObject({
      channel: 'webchat',
      account: 'web',
      externalId: `${welcome.sessionId}:client-0001`,
      conversationKey: `webchat:${welcome.sessionId}`,
      sender: { id: welcome.sessionId, name: 'Li Wei', address: 'li.wei@example.com' },
      text: 'My transfer to Alipay is pending',
    });
    await first.close();

    const again = await connect();
    const resumed = await again.hello(welcome.token);
    expect(resumed.sessionId).toBe(welcome.sessionId);
    expect(resumed.history).toEqual([expect.objectContaining({ id: ack.id, from: 'customer', clientId: 'client-0001', text: 'My transfer to Alipay is pending' })]);
    again.send({ type: 'message', clientId: 'client-0001', text: 'My transfer to Alipay is pending' });
    expect(await again.next('ack')).toMatchObject({ id: ack.id });
    await new Promise((r) => setTimeout(r, 300));
    expect((await readAll(env.kafka, env.topics.inbound)).filter((r) => r.value.includes(ack.id))).toHaveLength(1);
    // The public id, as seen on the topic, does not open the conversation.
    const snoop = await connect();
    const other = await snoop.hello(welcome.sessionId);
    expect(other.sessionId).not.toBe(welcome.sessionId);
    expect(other.history).toEqual([]);
  });

  it('refuses messages over the size limit and over the rate limit with clear error frames', async () => {
    const client = await connect();
    await client.hello();
    client.send({ type: 'message', clientId: 'too-long-01', text: 'x'.repeat(2_001) });
    expect(await client.next('error', (e) => e.clientId === 'too-long-01')).toMatchObject({ code: 'too_long', message: expect.stringContaining('2000') });
    for (let i = 0; i < 6; i++) client.send({ type: 'message', clientId: `burst-000${i}`, text: `burst ${i}` });
    const refused = await client.next('error', (e) => e.code === 'rate_limited');
    expect(refused.clientId).toBe('burst-0005');
    expect(refused.retryAfterMs).toBeGreaterThan(0);
    for (let i = 0; i < 5; i++) await client.next('ack', (a) => a.clientId === `burst-000${i}`);
    client.send({ type: 'message', clientId: 'no-hello-x', text: 'hi' });
    client.send('not json');
    expect(await client.next('error', (e) => e.code === 'bad_frame' && !e.clientId)).toMatchObject({ message: expect.stringContaining('unreadable frame') });
  });

  it('serves the page with a strict Content-Security-Policy', async () => {
    const response = await fetch(`${base}/chat`);
    expect(response.headers.get('content-type')).toContain('text/html');
    const csp = response.headers.get('content-security-policy')!;
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain(`connect-src 'self' ws://${new URL(base).host}`);
    expect(await response.text()).toContain('<script defer src="chat/chat.js"></script>');
    expect((await fetch(`${base}/chat/widget.js`)).headers.get('content-type')).toContain('javascript');
  });

  it('requires hello first, caps connections per address and refuses foreign origins', async () => {
    const client = await connect();
    client.send({ type: 'message', clientId: 'before-hello', text: 'hi' });
    expect(await client.next('error')).toMatchObject({ code: 'not_ready' });
    await expect(ChatClient.connect(wsUrl, { origin: 'https://evil.example' })).rejects.toThrow(/403/);
    const host = new URL(base).host;
    expect(await connect({ origin: `http://${host}` })).toBeDefined();
    const open = clients.filter((c) => c.socket.readyState === c.socket.OPEN).length;
    for (let i = open; i < 6; i++) await connect();
    await expect(ChatClient.connect(wsUrl)).rejects.toThrow(/429/);
  });

  it('pushes an agent reply from the outbound topic live and keeps it in the history', async () => {
    await Promise.all(clients.splice(0).map((c) => c.close()));
    const live = await connect();
    const { sessionId, token } = await live.hello();
    const reply = agentReply(sessionId, 'out_webchat_reply_1', 'Your transfer went through at 14:02');
    await producer.sendJson(env.topics.outbound, [{ key: reply.conversationKey, value: reply }]);
    const pushed = await live.next('message', (m) => m.entry.id === 'out_webchat_reply_1', 20_000);
    expect(pushed.entry).toMatchObject({ from: 'agent', text: 'Your transfer went through at 14:02' });
    await live.close();
    const later = await connect();
    expect((await later.hello(token)).history.map((e) => e.id)).toContain('out_webchat_reply_1');
  });

  it('keeps a bounded history', () => {
    const store = new SessionStore(2, 3);
    for (const id of ['a', 'b', 'c']) store.append(`session-${id}`, { id: `${id}1`, from: 'customer', text: id, at: new Date().toISOString() });
    expect(store.find('session-a')).toBeUndefined();
    expect(store.size).toBe(2);
    for (let i = 2; i <= 5; i++) store.append('session-c', { id: `c${i}`, from: 'agent', text: 'x', at: new Date().toISOString() });
    expect(store.find('session-c')!.history.map((e) => e.id)).toEqual(['c3', 'c4', 'c5']);
    expect(store.append('session-c', { id: 'c5', from: 'agent', text: 'x', at: '' })).toBe(false);
  });

  it('limits a sliding window', () => {
    let now = 0;
    const limiter = new SlidingWindowLimiter(2, 1_000, () => now);
    expect(limiter.take('s').allowed).toBe(true);
    expect(limiter.take('s').allowed).toBe(true);
    expect(limiter.take('s')).toEqual({ allowed: false, retryAfterMs: 1_000 });
    now = 1_001;
    expect(limiter.take('s').allowed).toBe(true);
    const sweeping = new SlidingWindowLimiter(1, 1_000, () => now, 2);
    for (const key of ['a', 'b', 'c']) sweeping.take(key);
    now += 1_000;
    sweeping.take('d');
    expect(sweeping.size).toBe(1);
  });
});
