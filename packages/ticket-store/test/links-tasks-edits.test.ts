/**
 * What migration 4 added: one customer's conversations linked by phone number across channels, a
 * message's typed call, tasks on a ticket, and edits that carry new content (attachments, call,
 * classification) which an opening message's ticket follows.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { messageId, type RoutedMessage } from '@switchboard/schema';
import { type TicketStore } from '../src/index.ts';
import { BACKENDS, routedMessage, uniqueKey, storeForTests } from './fixtures.ts';

/** Two channels a customer uses, by neutral ids: the store knows no channel. */
const CHAT = 'chat-a';
const VOICE = 'voice-b';

function onChannel(channel: string, phone: string | undefined, overrides: Partial<RoutedMessage> = {}): RoutedMessage {
  const senderId = uniqueKey('sender');
  return routedMessage({
    channel,
    account: `${channel}-account`,
    conversationKey: uniqueKey(channel),
    sender: { id: senderId, name: 'Wang Fang', ...(phone ? { phone } : {}) },
    attachments: [],
    ...overrides,
  });
}

function editOf(target: RoutedMessage, changes: Partial<RoutedMessage>): RoutedMessage {
  const externalId = `${target.externalId}#${uniqueKey('rev')}`;
  return routedMessage({
    ...target,
    id: messageId(target.channel, target.account, externalId),
    externalId,
    edit: { kind: 'edited', targetId: target.id },
    ...changes,
  });
}

describe.each(BACKENDS)('links, tasks and edits on $name', (backend) => {
  const current = storeForTests(backend);
  let store: TicketStore;
  beforeAll(() => {
    store = current();
  });

  it("shows a customer's conversations on other channels that share their phone number", async () => {
    const phone = `+86138${String(Date.now()).slice(-8)}`;
    const chat = onChannel(CHAT, phone, { text: 'My transfer has not arrived.' });
    const call = onChannel(VOICE, phone, { text: 'Missed call', subject: 'Missed call' });
    const stranger = onChannel(CHAT, '+8613900000000');
    const nobody = onChannel(CHAT, undefined);
    const written = await store.writeRouted([chat, call, stranger, nobody]);
    const [chatTicket, callTicket, strangerTicket, nobodyTicket] = written.newTickets;

    const callView = (await store.getTicket(callTicket!.id))!;
    expect(callView.ticket.customer.phone).toBe(phone);
    expect(callView.related).toEqual([
      { channel: CHAT, account: chat.account, conversationKey: chat.conversationKey, lastMessageAt: chat.sentAt, ticket: { id: chatTicket!.id, number: chatTicket!.number, status: 'open' } },
    ]);
    expect((await store.getTicket(chatTicket!.id))!.related.map((r) => r.conversationKey)).toEqual([call.conversationKey]);
    expect((await store.getTicket(strangerTicket!.id))!.related).toEqual([]);
    expect((await store.getTicket(nobodyTicket!.id))!.related).toEqual([]);
    // A search by the number finds both tickets.
    const found = await store.listTickets({ q: phone.slice(1), limit: 500 });
    expect(found.map((t) => t.id).sort()).toEqual([chatTicket!.id, callTicket!.id].sort());
  });

  it('learns a phone number a contact gave later, and keeps it when a message comes without one', async () => {
    const first = onChannel(CHAT, undefined);
    const opened = (await store.writeRouted([first])).newTickets[0]!;
    const later = (sender: RoutedMessage['sender']) => routedMessage({ channel: first.channel, account: first.account, conversationKey: first.conversationKey, sender, attachments: [] });
    await store.writeRouted([later({ ...first.sender, phone: '+8613711112222' })]);
    await store.writeRouted([later({ id: first.sender.id, name: 'Fang W.' })]);
    expect((await store.getTicket(opened.id))!.ticket.customer).toMatchObject({ name: 'Fang W.', phone: '+8613711112222' });
  });

  it('stores the call a message records', async () => {
    const call = { direction: 'inbound' as const, outcome: 'answered' as const, startedAt: '2026-11-20T09:00:00.000Z', durationSeconds: 192, agent: '801' };
    const message = onChannel(VOICE, '+8613800138001', { call, autoSubmitted: 'call-note' });
    const other = onChannel(VOICE, '+8613800138001', { conversationKey: message.conversationKey });
    const ticket = (await store.writeRouted([other, { ...message, sentAt: new Date(Date.parse(other.sentAt) + 1).toISOString() }])).newTickets[0]!;
    const stored = (await store.getTicket(ticket.id))!.messages.find((m) => m.id === message.id)!;
    expect(stored.call).toEqual(call);
    expect((await store.getTicket(ticket.id))!.messages.find((m) => m.id === other.id)!.call).toBeUndefined();
  });

  it('records tasks on a ticket once per id, and marks them done and open again', async () => {
    const ticket = (await store.writeRouted([onChannel(VOICE, undefined)])).newTickets[0]!;
    const first = await store.addTask(ticket.number, { id: 'task_a', text: 'Call the customer back', createdAt: '2026-11-20T10:00:00.000Z' });
    expect(first).toEqual({ created: true, task: { id: 'task_a', ticketId: ticket.id, text: 'Call the customer back', createdAt: '2026-11-20T10:00:00.000Z' } });
    const again = await store.addTask(ticket.id, { id: 'task_a', text: 'a retried request with other text' });
    expect(again).toEqual({ created: false, task: first!.task });
    await store.addTask(ticket.id, { id: 'task_b', text: 'Send the refund form', createdAt: '2026-11-20T11:00:00.000Z' });
    expect(await store.addTask('SB-999997', { id: 'task_c', text: 'x' })).toBeUndefined();

    const done = await store.setTaskDone(ticket.id, 'task_a', true);
    expect(done?.doneAt).toMatch(/^\d{4}-/);
    expect((await store.setTaskDone(ticket.id, 'task_a', true))?.doneAt).toBe(done?.doneAt);
    expect((await store.getTicket(ticket.id))!.tasks.map((t) => [t.id, t.doneAt !== undefined])).toEqual([
      ['task_a', true],
      ['task_b', false],
    ]);
    expect((await store.setTaskDone(ticket.id, 'task_a', false))?.doneAt).toBeUndefined();
    expect(await store.setTaskDone(ticket.id, 'task_unknown', true)).toBeUndefined();
    const otherTicket = (await store.writeRouted([onChannel(VOICE, undefined)])).newTickets[0]!;
    expect(await store.setTaskDone(otherTicket.id, 'task_a', true)).toBeUndefined();
  });

  it('applies an edit that brings attachments, a call and a new classification; the opening ticket follows', async () => {
    const opening = onChannel(VOICE, '+8613800138002', {
      subject: 'Missed call',
      text: 'Missed call from +86 138 0013 8002',
      category: 'contact',
      priority: 'normal',
      call: { direction: 'inbound', outcome: 'missed' },
    });
    const ticket = (await store.writeRouted([opening])).newTickets[0]!;
    const recording = { name: 'voicemail.wav', contentType: 'audio/wav', size: 16_044, sha256: 'b'.repeat(64), storageRef: 'voice/attachments/bb/x' };
    const edit = editOf(opening, {
      subject: 'Voicemail',
      text: 'Someone took money from my card, please call me back!',
      attachments: [recording],
      call: { direction: 'inbound', outcome: 'voicemail', durationSeconds: 14 },
      category: 'security',
      confidence: 0.88,
      priority: 'urgent',
    });
    const result = await store.writeRouted([edit]);
    expect(result.edited).toEqual([edit.id]);
    expect((await store.writeRouted([edit])).duplicates).toEqual([edit.id]);

    const view = (await store.getTicket(ticket.id))!;
    expect(view.ticket).toMatchObject({ subject: 'Voicemail', preview: 'Someone took money from my card, please call me back!', category: 'security', priority: 'urgent', messageCount: 1 });
    expect(view.messages).toHaveLength(1);
    expect(view.messages[0]).toMatchObject({ text: edit.text, subject: 'Voicemail', attachments: [recording], call: edit.call, category: 'security', priority: 'urgent' });

    // An edit without attachments, call or subject (a chat edit) keeps them; a corrected category stays.
    await store.updateTicket(ticket.id, { category: 'refund' });
    const plain = editOf(opening, { subject: undefined, text: 'Please call me back.', attachments: [], call: undefined, category: 'account', priority: 'low' });
    await store.writeRouted([plain]);
    const after = (await store.getTicket(ticket.id))!;
    expect(after.ticket).toMatchObject({ category: 'refund', priority: 'urgent', subject: 'Voicemail', preview: 'Please call me back.' });
    expect(after.messages[0]).toMatchObject({ text: 'Please call me back.', attachments: [recording], call: edit.call, subject: 'Voicemail' });
  });
});
