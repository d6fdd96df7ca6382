import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DeadLetter, OutboundMessage, stableId, type RoutedMessage } from '@switchboard/schema';
import { BatchingProducer, consumerLag } from '@switchboard/kafka';
import { TransientError } from '@switchboard/runtime';
import { eventually, freshDatabase, kafkaForTest, readAll, readTopic } from '@switchboard/testkit';
import { openTicketStore, type TicketStore } from '@switchboard/ticket-store';
import { loadChannelRegistry } from '@switchboard/connector-sdk';
import { REPO_ROOT } from '@switchboard/runtime';
import { ackIdFor, startTicketSink, type RunningTicketSink } from '../src/index.ts';

const channels = await loadChannelRegistry(REPO_ROOT);
import { routed } from './messages.ts';

type TestKafka = Awaited<ReturnType<typeof kafkaForTest>>;

function produceRouted(producer: BatchingProducer, topic: string, messages: RoutedMessage[]) {
  return producer.sendJson(topic, messages.map((m) => ({ key: m.conversationKey, value: m })));
}

async function acksIn(env: TestKafka): Promise<OutboundMessage[]> {
  return (await readAll(env.kafka, env.topics.outbound)).map((r) => OutboundMessage.parse(JSON.parse(r.value)));
}

async function drained(env: TestKafka, groupId: string): Promise<void> {
  await eventually(async () => (await consumerLag(env.kafka, groupId, env.topics.routed)) === 0, 20_000, `${groupId} caught up`);
}

describe('ticket sink on a real broker and PostgreSQL', () => {
  let env: TestKafka;
  let database: Awaited<ReturnType<typeof freshDatabase>>;
  let store: TicketStore;
  let producer: BatchingProducer;
  let sink: RunningTicketSink;
  const groupId = () => `${env.prefix}ticket-sink`;

  beforeAll(async () => {
    [env, database] = await Promise.all([kafkaForTest(), freshDatabase()]);
    store = await openTicketStore({ url: database.url });
    producer = new BatchingProducer(env.kafka);
    await producer.connect();
    sink = await startTicketSink({
      kafka: env.kafka,
      producer,
      topics: env.topics,
      store,
      channels,
      groupId: groupId(),
      deliveryGroupId: `${env.prefix}delivery-sink`,
    });
  });
  afterAll(async () => {
    await sink?.stop();
    await producer?.disconnect();
    await store?.close();
    await database?.drop();
  });

  it('turns routed messages into tickets and acknowledges each new email ticket once, never automatic mail', async () => {
    const minutesAgo = (minutes: number) => new Date(Date.now() - minutes * 60_000).toISOString();
    const opening = routed({ thread: { ancestors: ['<order-88213@shop.example>'] }, sentAt: minutesAgo(2) });
    const followUp = routed({ conversationKey: opening.conversationKey, text: 'Any news about my refund?', sentAt: minutesAgo(1) });
    const outOfOffice = routed({ autoSubmitted: 'auto-replied', subject: 'Automatic reply: your statement', text: 'I am out of the office until Monday.' });
    const wechat = routed({
      channel: 'wechat',
      account: 'gh_wallet',
      externalId: '7312345678901234567',
      conversationKey: 'wxid_zhangsan',
      sender: { id: 'wxid_zhangsan', name: '张三' },
      subject: undefined,
      language: 'zh-Hans',
      text: '我的转账一直显示处理中，怎么办？',
      category: 'transaction',
    });
    await produceRouted(producer, env.topics.routed, [opening, outOfOffice]);
    await produceRouted(producer, env.topics.routed, [followUp, wechat]);

    const emailTicket = await eventually(
      async () => (await store.listTickets({ channel: 'email', q: 'Any news' })).find((t) => t.messageCount === 2),
      20_000,
      'the email ticket with both messages',
    );
    expect(emailTicket).toMatchObject({ category: 'refund', customer: { id: 'maria.gomez@customer.example', name: 'Maria Gomez' }, subject: opening.subject });
    const wechatTicket = await eventually(async () => (await store.listTickets({ channel: 'wechat' }))[0], 20_000, 'the wechat ticket');
    expect(wechatTicket).toMatchObject({ language: 'zh-Hans', preview: '我的转账一直显示处理中，怎么办？' });
    await drained(env, groupId());

    const stored = await store.getTicket(emailTicket.number);
    expect(stored?.messages.map((m) => m.id)).toEqual([opening.id, followUp.id, ackIdFor(emailTicket.id)]);
    expect(stored?.messages[2]).toMatchObject({ direction: 'outbound', kind: 'ack', deliveryState: 'queued' });
    expect(await store.listTickets({ q: 'out of the office' })).toEqual([]);

    const acks = await acksIn(env);
    expect(acks).toHaveLength(1);
    expect(acks[0]).toMatchObject({
      id: ackIdFor(emailTicket.id),
      kind: 'ack',
      ticketNumber: emailTicket.number,
      recipient: opening.sender,
      subject: opening.subject,
      inReplyTo: { messageId: opening.id, externalId: opening.externalId, references: ['<order-88213@shop.example>'] },
    });
    expect(acks[0]!.text).toContain(`Your ticket number is ${emailTicket.number}`);
  });

  it('stores a message produced twice once, with one ticket and one acknowledgement', async () => {
    const message = routed({ language: 'zh-Hans', sender: { id: 'chen.jing@customer.example', name: '陈静' }, subject: '账户被冻结', text: '你好，我的账户今天被冻结了，请帮忙看一下。' });
    await produceRouted(producer, env.topics.routed, [message]);
    await produceRouted(producer, env.topics.routed, [message]);
    await eventually(async () => (await store.listTickets({ q: '陈静' })).length > 0, 20_000, 'the ticket');
    await drained(env, groupId());
    const tickets = await store.listTickets({ q: '陈静' });
    expect(tickets).toHaveLength(1);
    expect(tickets[0]!.messageCount).toBe(1);
    const acks = (await acksIn(env)).filter((a) => a.ticketId === tickets[0]!.id);
    expect(acks).toHaveLength(1);
    expect(acks[0]!.text).toMatch(/^我们已收到您的消息，工单号 SB-\d{6}。/);
  });

  it('acknowledges a ticket whose batch was stored before a crash, when the batch comes again', async () => {
    const message = routed({ sender: { id: 'tom.baker@customer.example', name: 'Tom Baker' }, text: 'My top-up by bank transfer is missing.' });
    // The store committed, then the process died before producing the ack and committing the offset.
    const committed = await store.writeRouted([message]);
    const ticket = committed.newTickets[0]!;
    expect(await store.pendingAcks([message.id], ['email'])).toHaveLength(1);
    await produceRouted(producer, env.topics.routed, [message]);
    await eventually(async () => (await store.pendingAcks([message.id], ['email'])).length === 0, 20_000, 'the ack recorded');
    await drained(env, groupId());
    const acks = (await acksIn(env)).filter((a) => a.ticketId === ticket.id);
    expect(acks.map((a) => a.id)).toEqual([ackIdFor(ticket.id)]);
    expect((await store.getTicket(ticket.id))?.ticket.messageCount).toBe(1);
  });

  it('dead-letters a poison record and keeps going with the next ones', async () => {
    const { category: _dropped, ...withoutCategory } = routed();
    const after = routed({ sender: { id: 'ana.silva@customer.example', name: 'Ana Silva' }, text: 'Why was I charged a 2% FX fee?', category: 'fees_fx' });
    const poisoned = routed({ text: 'pasted from a PDF \u0000 with a NUL byte' });
    await producer.send(env.topics.routed, [
      { key: 'poison', value: '{"schemaVersion":1,"id":' },
      { key: 'poison', value: JSON.stringify(withoutCategory) },
      { key: poisoned.conversationKey, value: JSON.stringify(poisoned) },
      { key: after.conversationKey, value: JSON.stringify(after) },
    ]);
    const letters = (await readTopic(env.kafka, env.topics.dlq, (rs) => rs.length >= 3, 30_000)).map((r) => DeadLetter.parse(JSON.parse(r.value)));
    expect(letters.map((l) => l.reason).sort()).toEqual([
      expect.stringMatching(/^handler failed: (invalid byte sequence|unsupported Unicode escape sequence)/),
      expect.stringMatching(/^invalid JSON/),
      expect.stringMatching(/^schema violation: RoutedMessage: category/),
    ]);
    expect(letters.every((l) => l.stage === groupId())).toBe(true);
    expect(Buffer.from(letters.find((l) => l.reason.startsWith('invalid JSON'))!.originalValue, 'base64').toString()).toBe('{"schemaVersion":1,"id":');
    const ticket = await eventually(async () => (await store.listTickets({ q: 'Ana Silva' }))[0], 20_000, 'the message after the poison');
    expect(ticket.category).toBe('fees_fx');
  });

  it('applies a delivery report to the outbound message', async () => {
    const message = routed({ sender: { id: 'olga@customer.example', name: 'Olga Ivanova' }, text: 'Please close my account.', category: 'account' });
    await produceRouted(producer, env.topics.routed, [message]);
    const ticket = await eventually(async () => (await store.listTickets({ q: 'Olga' }))[0], 20_000, 'the ticket');
    const ackId = ackIdFor(ticket.id);
    await eventually(async () => (await store.getTicket(ticket.id))?.messages.some((m) => m.id === ackId), 20_000, 'the ack recorded');
    await producer.sendJson(env.topics.delivery, [
      { key: ackId, value: { schemaVersion: 1, outboundId: ackId, ticketId: ticket.id, channel: 'email', status: 'sent', externalId: '<ack-olga@wallet.example>', at: new Date().toISOString() } },
      { key: ackId, value: { not: 'a delivery report' } },
    ]);
    const ack = await eventually(
      async () => (await store.getTicket(ticket.id))?.messages.find((m) => m.id === ackId && m.deliveryState === 'sent'),
      20_000,
      'the ack marked sent',
    );
    expect(ack.externalId).toBe('<ack-olga@wallet.example>');
    const letters = await readTopic(env.kafka, env.topics.dlq, (rs) => rs.some((r) => r.headers.stage === `${env.prefix}delivery-sink`), 20_000);
    expect(letters.map((r) => DeadLetter.parse(JSON.parse(r.value))).filter((l) => l.stage === `${env.prefix}delivery-sink`)).toEqual([
      expect.objectContaining({ reason: expect.stringMatching(/^schema violation: DeliveryReport/) }),
    ]);
  });
  it('opens tickets for suspect senders, addresses no reply reaches and spam, but acknowledges none of them', async () => {
    const minutesAgo = (minutes: number) => new Date(Date.now() - minutes * 60_000).toISOString();
    const forged = routed({
      sender: { id: '=?utf-8?b?c3vwcg9ydaa=?=@bank.example', address: '=?utf-8?B?c3VwcG9ydA==?=@bank.example', suspect: { code: 'encoded-word-in-address', reason: 'forged-looking' } },
      text: 'Your account is locked, verify it here.',
      sentAt: minutesAgo(3),
    });
    const spaced = routed({ sender: { id: 'help desk team@shop.example', address: 'help desk team@shop.example', unusableAddress: { code: 'unparseable-address', reason: 'spaces' } }, sentAt: minutesAgo(3) });
    const junk = routed({ spam: { reason: 'X-Spam-Flag: YES' }, text: 'Cheap watches, best prices', sentAt: minutesAgo(3) });
    const honest = routed({ text: 'My refund for order 1177 has not arrived.', sentAt: minutesAgo(3) });
    await produceRouted(producer, env.topics.routed, [forged, spaced, junk, honest]);
    const ticketOf = (m: RoutedMessage) => eventually(async () => (await store.getTicket(stableId('tkt', m.id)))?.ticket, 20_000, `the ticket of ${m.id}`);
    const tickets = await Promise.all([forged, spaced, junk, honest].map(ticketOf));
    await drained(env, groupId());
    const acked = new Set((await acksIn(env)).map((a) => a.ticketId));
    expect(tickets.map((t) => acked.has(t.id))).toEqual([false, false, false, true]);
    expect(tickets[0]!.customer.suspect).toEqual({ code: 'encoded-word-in-address', reason: 'forged-looking' });
    expect((await store.listTickets({ spam: true, limit: 500 })).map((t) => t.id)).toEqual([tickets[2]!.id]);
  });
});

describe('ticket sink during a store outage', () => {
  let env: TestKafka;
  let database: Awaited<ReturnType<typeof freshDatabase>>;
  let store: TicketStore;
  let producer: BatchingProducer;
  let sink: RunningTicketSink;
  const calls = { writeRouted: 0, recordOutbound: 0 };

  beforeAll(async () => {
    [env, database] = await Promise.all([kafkaForTest(), freshDatabase()]);
    store = await openTicketStore({ url: database.url });
    producer = new BatchingProducer(env.kafka);
    await producer.connect();
    // The fault injector: the database is "down" for the first two writes, and once more right after
    // the ack was produced (as if the process died before recording it).
    const flaky = new Proxy(store, {
      get(target, property, receiver) {
        if (property === 'writeRouted') {
          return async (batch: RoutedMessage[]) => {
            if (++calls.writeRouted <= 2) throw new TransientError('database unavailable', { cause: Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }) });
            return target.writeRouted(batch);
          };
        }
        if (property === 'recordOutbounds') {
          return async (messages: OutboundMessage[]) => {
            if (++calls.recordOutbound === 1) throw new TransientError('database unavailable');
            return target.recordOutbounds(messages);
          };
        }
        const value: unknown = Reflect.get(target, property, receiver);
        return typeof value === 'function' ? value.bind(target) : value;
      },
    });
    sink = await startTicketSink({ kafka: env.kafka, producer, topics: env.topics, store: flaky, channels, groupId: `${env.prefix}ticket-sink`, deliveryGroupId: `${env.prefix}delivery-sink` });
  });
  afterAll(async () => {
    await sink?.stop();
    await producer?.disconnect();
    await store?.close();
    await database?.drop();
  });

  it('retries the batch instead of dead-lettering it, and the ack keeps one id however often it is produced', async () => {
    const message = routed();
    await produceRouted(producer, env.topics.routed, [message]);
    const ticket = await eventually(async () => (await store.listTickets())[0], 30_000, 'the ticket after the outage');
    await drained(env, `${env.prefix}ticket-sink`);
    expect(calls.writeRouted).toBeGreaterThanOrEqual(4);
    expect(await store.stats()).toMatchObject({ tickets: 1 });
    expect((await store.getTicket(ticket.id))?.messages.filter((m) => m.kind === 'ack')).toHaveLength(1);
    const acks = await acksIn(env);
    expect(acks.length).toBe(2);
    expect(new Set(acks.map((a) => a.id))).toEqual(new Set([ackIdFor(ticket.id)]));
    expect(await readAll(env.kafka, env.topics.dlq)).toEqual([]);
  });
});
