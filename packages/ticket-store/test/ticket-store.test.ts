import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SchemaError, stableId, type OutboundMessage } from '@switchboard/schema';
import pg from 'pg';
import { createLogger } from '@switchboard/runtime';
import { isRetriable } from '@switchboard/runtime';
import { eventually, freshDatabase } from '@switchboard/testkit';
import { openDatabase } from '@switchboard/db';
import { MIGRATIONS, migrateTicketStore, openTicketStore, type TicketStore } from '../src/index.ts';
import { BACKENDS, hoursFromNow, routedMessage, storeForTests, uniqueKey } from './fixtures.ts';

describe.each(BACKENDS)('ticket store on $name', (backend) => {
  const current = storeForTests(backend);
  let store: TicketStore;
  beforeAll(() => {
    store = current();
  });

  it('runs its migrations once: opening the same database again changes nothing and keeps the data', async () => {
    const fresh = await backend.fresh(true);
    try {
      const first = await openTicketStore(fresh.options);
      await first.writeRouted([routedMessage()]);
      await first.close();
      const second = await openTicketStore(fresh.options);
      expect(await second.stats()).toMatchObject({ tickets: 1, messages: 1 });
      await second.close();

      const db = await openDatabase(fresh.options, createLogger('test'));
      try {
        expect(await migrateTicketStore(db)).toEqual([]);
        const { rows } = await db.query<{ version: number }>('SELECT version FROM schema_migrations ORDER BY version');
        expect(rows.map((r) => r.version)).toEqual(MIGRATIONS.map((m) => m.version));
      } finally {
        await db.close();
      }
    } finally {
      await fresh.drop();
    }
  });

  it('writes a batch in one transaction: a statement failing mid-batch leaves nothing, with the driver error code intact', async () => {
    const before = await store.stats();
    const good = routedMessage();
    const poisoned = routedMessage({ text: 'pasted from a binary file \u0000 here' });
    const later = routedMessage();
    // PostgreSQL refuses NUL characters: in the JSON of the batch's messages (22P05)...
    const failure = await store.writeRouted([good, poisoned, later]).catch((error: unknown) => error);
    expect(failure).toMatchObject({ code: '22P05' });
    expect(await store.stats()).toEqual(before);
    // ...and as a text parameter of the last statement, after the tickets were written (22021).
    const badEdit = routedMessage({ channel: 'slack', account: 'T0WALLET', text: 'edited \u0000', edit: { kind: 'edited', targetId: good.id } });
    const lateFailure = await store.writeRouted([good, later, badEdit]).catch((error: unknown) => error);
    expect(lateFailure).toMatchObject({ code: '22021' });
    expect(await store.stats()).toEqual(before);
    expect(await store.getTicket(stableId('tkt', good.id))).toBeUndefined();
    // The store is still usable afterwards.
    const retried = await store.writeRouted([good, later]);
    expect(retried.inserted).toEqual([good.id, later.id]);
    expect(retried.newTickets.map((t) => t.id)).toEqual([stableId('tkt', good.id), stableId('tkt', later.id)]);
    expect(retried.newTickets.map((t) => t.openedBy)).toEqual([good.id, later.id]);
  });

  it('stores a message once however often it is written', async () => {
    const message = routedMessage();
    const first = await store.writeRouted([message]);
    expect(first.inserted).toEqual([message.id]);
    expect(first.newTickets).toHaveLength(1);
    const again = await store.writeRouted([message]);
    expect(again).toEqual({ inserted: [], duplicates: [message.id], edited: [], orphanEdits: [], newTickets: [], reopened: [] });
    const inOneBatch = routedMessage();
    const twice = await store.writeRouted([inOneBatch, inOneBatch]);
    expect(twice.inserted).toEqual([inOneBatch.id]);
    expect(twice.duplicates).toEqual([inOneBatch.id]);
    expect(twice.newTickets).toHaveLength(1);

    const found = await store.getTicket(first.newTickets[0]!.id);
    expect(found?.ticket.messageCount).toBe(1);
    expect(found?.messages.map((m) => m.id)).toEqual([message.id]);
    expect(await store.listTickets({ q: message.sender.name!, limit: 500 }).then((ts) => ts.filter((t) => t.conversationKey === message.conversationKey))).toHaveLength(1);
  });

  it("keeps the router's entities and a verified customer reference with the message", async () => {
    const entities = {
      amounts: [{ value: '38.50', currency: 'CNY', text: '¥38.5' }],
      references: [{ kind: 'transaction' as const, value: 'TX20261206001' }],
      times: [{ text: '昨天下午三点', at: '2026-12-06T07:00:00.000Z', date: '2026-12-06' }],
      cardLast4: ['1234'],
      counterparties: ['Lucky Coffee'],
    };
    const base = routedMessage();
    const message = { ...base, sender: { ...base.sender, customerRef: 'cus_42' }, entities };
    const { newTickets } = await store.writeRouted([message, routedMessage()]);
    const found = await store.getTicket(newTickets[0]!.id);
    expect(found?.messages[0]?.entities).toEqual(entities);
    expect(found?.messages[0]?.sender.customerRef).toBe('cus_42');
    const older = await store.getTicket(newTickets[1]!.id);
    expect(older?.messages[0]).not.toHaveProperty('entities');
  });

  it('stores each message once and opens one ticket per conversation when two writers take the same batch at once', async () => {
    for (let round = 0; round < 5; round++) {
      const keys = Array.from({ length: 4 }, (_, i) => uniqueKey(`race-${round}-${i}`));
      const batch = Array.from({ length: 40 }, (_, i) => routedMessage({ conversationKey: keys[i % keys.length]! }));
      const [a, b] = await Promise.all([store.writeRouted(batch), store.writeRouted([...batch].reverse())]);
      expect([...a.inserted, ...b.inserted].sort()).toEqual(batch.map((m) => m.id).sort());
      expect([...a.duplicates, ...b.duplicates].sort()).toEqual(batch.map((m) => m.id).sort());
      expect(a.newTickets.length + b.newTickets.length).toBe(keys.length);
      for (const ticket of [...a.newTickets, ...b.newTickets]) {
        const found = (await store.getTicket(ticket.id))!;
        expect(found.ticket.messageCount).toBe(10);
        expect(found.messages).toHaveLength(10);
      }
    }
  });

  it('adds a message to the open ticket of its conversation and raises the priority to the highest', async () => {
    const conversationKey = uniqueKey('thread');
    const opening = routedMessage({ conversationKey, priority: 'normal', category: 'transaction' });
    const followUp = routedMessage({
      conversationKey,
      priority: 'urgent',
      category: 'security',
      subject: 'Re: Card payment declined at checkout',
      text: 'I now see two payments I did not make. Please block my card!',
    });
    const calm = routedMessage({ conversationKey, priority: 'low', text: 'Thank you.' });
    const result = await store.writeRouted([opening]);
    const ticketId = result.newTickets[0]!.id;
    const joined = await store.writeRouted([followUp, calm]);
    expect(joined.newTickets).toEqual([]);
    const { ticket, messages } = (await store.getTicket(ticketId))!;
    expect(ticket).toMatchObject({ messageCount: 3, priority: 'urgent', category: 'transaction', language: 'en', status: 'open', lastMessageAt: calm.sentAt });
    expect(ticket.subject).toBe('Card payment declined at checkout');
    expect(ticket.preview).toBe('Hello,');
    expect(messages.map((m) => m.id)).toEqual([opening.id, followUp.id, calm.id]);
    expect(messages[1]).toMatchObject({ direction: 'inbound', category: 'security', priority: 'urgent', externalId: followUp.externalId, sender: followUp.sender });
    expect(messages[0]!.attachments).toEqual(opening.attachments);
    expect(messages[0]!.explanation).toEqual(opening.explanation);
  });

  it('keeps the order of a conversation by sent time, whatever order the batch had', async () => {
    const conversationKey = uniqueKey('order');
    const earlier = routedMessage({ conversationKey, text: 'first question' });
    const laterOne = routedMessage({ conversationKey, text: 'second question' });
    const result = await store.writeRouted([laterOne, earlier]);
    expect(result.newTickets).toEqual([{ id: stableId('tkt', earlier.id), number: expect.stringMatching(/^SB-\d{6}$/), channel: earlier.channel, openedBy: earlier.id }]);
    const { ticket, messages } = (await store.getTicket(result.newTickets[0]!.id))!;
    expect(ticket.preview).toBe('first question');
    expect(messages.map((m) => m.text)).toEqual(['first question', 'second question']);
  });

  it('reopens a resolved ticket when the customer writes within the window', async () => {
    const conversationKey = uniqueKey('reopen');
    const opened = (await store.writeRouted([routedMessage({ conversationKey })])).newTickets[0]!;
    const resolved = await store.updateTicket(opened.id, { status: 'resolved' });
    expect(resolved?.status).toBe('resolved');
    const result = await store.writeRouted([routedMessage({ conversationKey, sentAt: hoursFromNow(1), text: 'It happened again.' })]);
    expect(result.newTickets).toEqual([]);
    expect(result.reopened).toEqual([{ id: opened.id, number: opened.number, channel: opened.channel }]);
    expect((await store.getTicket(opened.id))?.ticket).toMatchObject({ status: 'open', messageCount: 2 });
  });

  it('joins a message that names a ticket (thread.namedTicket) to that ticket, on its channel and account only', async () => {
    const opened = (await store.writeRouted([routedMessage({ conversationKey: uniqueKey('original') })])).newTickets[0]!;
    const viaToken = routedMessage({ conversationKey: `ticket:${opened.number}`, thread: { namedTicket: opened.number }, text: 'Replying without the headers.' });
    const result = await store.writeRouted([viaToken]);
    expect(result.newTickets).toEqual([]);
    const { ticket, messages } = (await store.getTicket(opened.id))!;
    expect(ticket.messageCount).toBe(2);
    const joined = messages.find((m) => m.id === viaToken.id);
    expect(joined?.meta.joinedNamedTicket).toEqual({ from: `ticket:${opened.number}`, ticket: opened.number });
    expect(joined?.thread).toEqual({ namedTicket: opened.number });
    const otherAccount = routedMessage({ account: 'someone-else', conversationKey: `ticket:${opened.number}`, thread: { namedTicket: opened.number } });
    expect((await store.writeRouted([otherAccount])).newTickets).toHaveLength(1);
  });

  it('opens a new ticket linked to the old one when the customer writes after the window', async () => {
    const conversationKey = uniqueKey('relink');
    const opened = (await store.writeRouted([routedMessage({ conversationKey })])).newTickets[0]!;
    await store.updateTicket(opened.number, { status: 'resolved' });
    const result = await store.writeRouted([routedMessage({ conversationKey, sentAt: hoursFromNow(73), text: 'A new problem with a transfer.' })]);
    expect(result.reopened).toEqual([]);
    expect(result.newTickets).toHaveLength(1);
    expect((await store.getTicket(result.newTickets[0]!.id))?.ticket).toMatchObject({ linkedTicketId: opened.id, status: 'open', messageCount: 1, preview: 'A new problem with a transfer.' });
    expect(result.newTickets[0]!.number).not.toBe(opened.number);
    expect((await store.getTicket(opened.id))?.ticket.status).toBe('resolved');
  });

  it('never opens a ticket for automatic mail, but keeps it on the conversation and on an existing ticket', async () => {
    const before = await store.stats();
    const bounceKey = uniqueKey('bounce');
    const bounce = routedMessage({ conversationKey: bounceKey, autoSubmitted: 'auto-replied', priority: 'urgent', text: 'I am out of office until Monday.' });
    const alone = await store.writeRouted([bounce]);
    expect(alone.inserted).toEqual([bounce.id]);
    expect(alone.newTickets).toEqual([]);
    const after = await store.stats();
    expect(after.tickets).toBe(before.tickets);
    expect(after.messages).toBe(before.messages + 1);

    const conversationKey = uniqueKey('with-auto');
    const opened = (await store.writeRouted([routedMessage({ conversationKey, priority: 'low' })])).newTickets[0]!;
    await store.writeRouted([routedMessage({ conversationKey, autoSubmitted: 'auto-replied', priority: 'urgent', text: 'Out of office' })]);
    const joined = (await store.getTicket(opened.id))!;
    expect(joined.ticket).toMatchObject({ messageCount: 2, priority: 'low' });
    expect(joined.messages[1]!.autoSubmitted).toBe('auto-replied');

    await store.updateTicket(opened.id, { status: 'resolved' });
    const late = await store.writeRouted([routedMessage({ conversationKey, autoSubmitted: 'auto-generated', sentAt: hoursFromNow(200) })]);
    expect(late.newTickets).toEqual([]);
    expect(late.reopened).toEqual([]);
    expect((await store.getTicket(opened.id))?.ticket).toMatchObject({ status: 'resolved', messageCount: 3 });
  });

  it('keeps events on the conversation without opening, joining or reopening a ticket, unless one asks for a person', async () => {
    const conversationKey = uniqueKey('events');
    const before = await store.stats();
    const follow = routedMessage({ conversationKey, text: '', event: { type: 'subscribe', fields: { EventKey: 'qrscene_receipt', Ticket: 'gQH47joAAAAAAAAAASxodHRwOi8v' } } });
    const alone = await store.writeRouted([follow]);
    expect(alone.newTickets).toEqual([]);
    expect((await store.stats()).tickets).toBe(before.tickets);

    const opened = (await store.writeRouted([routedMessage({ conversationKey, text: 'My withdrawal is stuck' })])).newTickets[0]!;
    const location = routedMessage({ conversationKey, text: '', priority: 'urgent', event: { type: 'LOCATION', fields: { Latitude: 31.2304, Longitude: 121.4737, Precision: 65 } } });
    expect((await store.writeRouted([location])).newTickets).toEqual([]);
    const shown = (await store.getTicket(opened.id))!;
    expect(shown.ticket).toMatchObject({ messageCount: 1, priority: 'normal' });
    expect(shown.messages.map((m) => m.event?.type ?? 'message')).toEqual(['subscribe', 'message', 'LOCATION']);
    expect(shown.messages[2]!.event).toEqual({ type: 'LOCATION', fields: { Latitude: 31.2304, Longitude: 121.4737, Precision: 65 } });
    expect((await store.lastInbound(opened.id))!.id).not.toBe(location.id);

    await store.updateTicket(opened.id, { status: 'resolved' });
    expect((await store.writeRouted([routedMessage({ conversationKey, text: '', event: { type: 'CLICK', fields: { EventKey: 'MENU_FAQ' } } })])).reopened).toEqual([]);
    expect((await store.getTicket(opened.id))!.ticket.status).toBe('resolved');

    const agentKey = uniqueKey('agent-click');
    const click = routedMessage({ conversationKey: agentKey, text: '', event: { type: 'CLICK', fields: { EventKey: 'TALK_TO_AGENT' }, opensTicket: true } });
    const asked = await store.writeRouted([click]);
    expect(asked.newTickets).toHaveLength(1);
    const ticket = (await store.getTicket(asked.newTickets[0]!.id))!;
    expect(ticket.ticket).toMatchObject({ messageCount: 1, preview: '[CLICK]' });
    expect(ticket.messages[0]!.event?.opensTicket).toBe(true);
  });

  it('applies edits and deletions to the target message, once', async () => {
    const conversationKey = uniqueKey('slack');
    const original = routedMessage({ channel: 'slack', account: 'T0WALLET', externalId: `C01SUPPORT:${Date.now()}.000100`, conversationKey, subject: undefined, text: 'my transfer is stuk' });
    const ticket = (await store.writeRouted([original])).newTickets[0]!;
    const edit = routedMessage({
      channel: 'slack',
      account: 'T0WALLET',
      externalId: `${original.externalId}:edit:1`,
      conversationKey,
      subject: undefined,
      text: 'my transfer is stuck since Monday',
      edit: { kind: 'edited', targetId: original.id },
    });
    const edited = await store.writeRouted([edit]);
    expect(edited).toMatchObject({ inserted: [], edited: [edit.id], newTickets: [] });
    expect(await store.writeRouted([edit])).toMatchObject({ edited: [], duplicates: [edit.id] });
    let view = (await store.getTicket(ticket.id))!;
    expect(view.messages).toHaveLength(1);
    expect(view.messages[0]).toMatchObject({ text: 'my transfer is stuck since Monday', editedAt: edit.sentAt });
    expect(view.ticket.preview).toBe('my transfer is stuck since Monday');

    const deletion = routedMessage({
      channel: 'slack',
      account: 'T0WALLET',
      externalId: `${original.externalId}:delete`,
      conversationKey,
      text: '',
      edit: { kind: 'deleted', targetId: original.id },
    });
    expect((await store.writeRouted([deletion])).edited).toEqual([deletion.id]);
    view = (await store.getTicket(ticket.id))!;
    expect(view.messages[0]!.deletedAt).toBe(deletion.sentAt);
    expect(view.ticket.messageCount).toBe(1);

    const orphan = routedMessage({ channel: 'slack', account: 'T0WALLET', text: 'x', edit: { kind: 'edited', targetId: 'msg_' + '0'.repeat(32) } });
    expect((await store.writeRouted([orphan])).orphanEdits).toEqual([orphan.id]);
  });

  it('numbers tickets in a human-readable, unique sequence', async () => {
    const result = await store.writeRouted([routedMessage(), routedMessage(), routedMessage()]);
    const numbers = result.newTickets.map((t) => t.number);
    expect(numbers).toHaveLength(3);
    for (const number of numbers) expect(number).toMatch(/^SB-\d{6}$/);
    expect(new Set(numbers).size).toBe(3);
    const values = numbers.map((n) => Number(n.slice(3)));
    expect(values).toEqual([...values].sort((a, b) => a - b));
  });

  it('finds a ticket by id and by number, with its messages', async () => {
    const message = routedMessage({ sender: { id: 'wang.fang@customer.example', name: '王芳' }, language: 'zh-Hans', text: '我的退款还没有到账', subject: '退款' });
    const ticket = (await store.writeRouted([message])).newTickets[0]!;
    const byId = await store.getTicket(ticket.id);
    const byNumber = await store.getTicket(ticket.number);
    const byLowerNumber = await store.getTicket(ticket.number.toLowerCase());
    expect(byId?.ticket).toMatchObject({ id: ticket.id, number: ticket.number, channel: message.channel, preview: '我的退款还没有到账', language: 'zh-Hans' });
    expect(byNumber).toEqual(byId);
    expect(byLowerNumber).toEqual(byId);
    expect(byId?.ticket.customer).toEqual({ id: 'wang.fang@customer.example', name: '王芳' });
    expect(byId?.messages[0]).toMatchObject({ id: message.id, text: '我的退款还没有到账', language: 'zh-Hans', sentAt: message.sentAt, receivedAt: message.receivedAt });
    expect(await store.getTicket('SB-999999')).toBeUndefined();
    expect(await store.getTicket('tkt_unknown')).toBeUndefined();
  });

  it('records a human category correction and counts it', async () => {
    const ticket = (await store.writeRouted([routedMessage({ category: 'fees_fx', confidence: 0.41, triage: true })])).newTickets[0]!;
    const before = await store.stats();
    const same = await store.updateTicket(ticket.id, { category: 'fees_fx', assignee: 'agent.chen' });
    expect(same).toMatchObject({ category: 'fees_fx', assignee: 'agent.chen', triage: false });
    expect((await store.stats()).corrections).toBe(before.corrections);

    const corrected = await store.updateTicket(ticket.number, { category: 'refund', priority: 'high', status: 'pending' });
    expect(corrected).toMatchObject({ category: 'refund', priority: 'high', status: 'pending', assignee: 'agent.chen' });
    const after = await store.stats();
    expect(after.corrections).toBe(before.corrections + 1);
    expect(after.byCategory.refund).toBe((before.byCategory.refund ?? 0) + 1);

    const unassigned = await store.updateTicket(ticket.id, { assignee: null });
    expect(unassigned?.assignee).toBeUndefined();
    expect(await store.updateTicket('SB-999998', { status: 'open' })).toBeUndefined();
    await expect(store.updateTicket(ticket.id, { status: 'closed' } as never)).rejects.toBeInstanceOf(SchemaError);
  });

  it('records outbound messages and applies delivery reports, also a report that comes first', async () => {
    const customer = routedMessage({ thread: { ancestors: ['<root@mail.customer.example>'] } });
    const ticket = (await store.writeRouted([customer])).newTickets[0]!;
    expect((await store.pendingAcks([customer.id], ['email'])).map((p) => p.ticket.id)).toEqual([ticket.id]);
    expect(await store.pendingAcks([customer.id], ['slack'])).toEqual([]);

    const ack: OutboundMessage = {
      schemaVersion: 1,
      id: stableId('ack', ticket.id),
      kind: 'ack',
      ticketId: ticket.id,
      ticketNumber: ticket.number,
      channel: 'email',
      account: customer.account,
      conversationKey: customer.conversationKey,
      recipient: customer.sender,
      public: false,
      inReplyTo: { messageId: customer.id, externalId: customer.externalId, references: ['<root@mail.customer.example>', customer.externalId] },
      subject: `Re: ${customer.subject} [#${ticket.number}]`,
      text: `We received your message. Your ticket number is ${ticket.number}.`,
      createdAt: new Date().toISOString(),
      meta: {},
    };
    await store.recordOutbound(ack);
    await store.recordOutbound(ack);
    expect(await store.pendingAcks([customer.id], ['email'])).toEqual([]);
    let messages = (await store.getTicket(ticket.id))!.messages;
    expect(messages).toHaveLength(2);
    expect(messages[1]).toMatchObject({ id: ack.id, direction: 'outbound', kind: 'ack', deliveryState: 'queued', recipient: customer.sender, externalId: null });
    expect((await store.getTicket(ticket.id))!.ticket.messageCount).toBe(1);

    await store.applyDelivery({ schemaVersion: 1, outboundId: ack.id, ticketId: ticket.id, channel: 'email', status: 'failed', reason: 'SMTP 451 try later', at: hoursFromNow(0) });
    messages = (await store.getTicket(ticket.id))!.messages;
    expect(messages[1]).toMatchObject({ deliveryState: 'failed', deliveryReason: 'SMTP 451 try later' });
    await store.applyDelivery({ schemaVersion: 1, outboundId: ack.id, ticketId: ticket.id, channel: 'email', status: 'sent', externalId: '<ack-1@wallet.example>', at: hoursFromNow(0.01) });
    messages = (await store.getTicket(ticket.id))!.messages;
    expect(messages[1]).toMatchObject({ deliveryState: 'sent', externalId: '<ack-1@wallet.example>' });

    const reply: OutboundMessage = { ...ack, id: stableId('reply', ticket.id, '1'), kind: 'reply', text: 'Your card is fine; the merchant declined.', createdAt: hoursFromNow(0.1) };
    await store.applyDelivery({ schemaVersion: 1, outboundId: reply.id, ticketId: ticket.id, channel: 'email', status: 'sent', externalId: '<reply-1@wallet.example>', at: hoursFromNow(0.2) });
    await store.recordOutbound(reply);
    messages = (await store.getTicket(ticket.id))!.messages;
    expect(messages[2]).toMatchObject({ id: reply.id, kind: 'reply', deliveryState: 'sent', externalId: '<reply-1@wallet.example>' });
    await expect(store.recordOutbound({ ...reply, id: 'reply_x', ticketId: 'tkt_missing' })).rejects.toThrow(/no ticket tkt_missing/);
  });

  it("records a channel's receipts after sent: read over delivered whatever their times, a later failure over sent", async () => {
    const customer = routedMessage({});
    const ticket = (await store.writeRouted([customer])).newTickets[0]!;
    const reply = (n: string): OutboundMessage => ({
      schemaVersion: 1, id: stableId('reply', ticket.id, `receipt-${n}`), kind: 'reply', ticketId: ticket.id, ticketNumber: ticket.number,
      channel: customer.channel, account: customer.account, conversationKey: customer.conversationKey, recipient: customer.sender,
      public: false, text: `reply ${n}`, createdAt: hoursFromNow(0), meta: {},
    });
    const report = (outboundId: string, status: 'sent' | 'failed' | 'delivered' | 'read', at: string, more: { externalId?: string; reason?: string } = {}) =>
      store.applyDelivery({ schemaVersion: 1, outboundId, ticketId: ticket.id, channel: customer.channel, status, at, ...more });
    const stateOf = async (id: string) => (await store.getTicket(ticket.id))!.messages.find((m) => m.id === id);

    const read = reply('read');
    await store.recordOutbound(read);
    await report(read.id, 'sent', hoursFromNow(0.01), { externalId: 'mid.1' });
    // The channel's clock dates the receipt a moment before our own report of the send.
    await report(read.id, 'delivered', hoursFromNow(0.005));
    expect(await stateOf(read.id)).toMatchObject({ deliveryState: 'delivered', externalId: 'mid.1' });
    await report(read.id, 'read', hoursFromNow(0.02));
    // A late delivery receipt (watermarks repeat) does not take "read" back.
    await report(read.id, 'delivered', hoursFromNow(0.03));
    expect(await stateOf(read.id)).toMatchObject({ deliveryState: 'read', externalId: 'mid.1' });

    const failed = reply('failed');
    await store.recordOutbound(failed);
    await report(failed.id, 'sent', hoursFromNow(0.01), { externalId: 'wamid.2' });
    await report(failed.id, 'failed', hoursFromNow(0.02), { reason: 'undeliverable (131026)' });
    expect(await stateOf(failed.id)).toMatchObject({ deliveryState: 'failed', deliveryReason: 'undeliverable (131026)', externalId: 'wamid.2' });
  });

  it('applies a delivery report that races the recording of its message (both orders, at once)', async () => {
    const customer = routedMessage({});
    const ticket = (await store.writeRouted([customer])).newTickets[0]!;
    const replies: OutboundMessage[] = Array.from({ length: 20 }, (_, i) => ({
      schemaVersion: 1,
      id: stableId('reply', ticket.id, `race-${i}`),
      kind: 'reply',
      ticketId: ticket.id,
      ticketNumber: ticket.number,
      channel: customer.channel,
      account: customer.account,
      conversationKey: customer.conversationKey,
      recipient: customer.sender,
      public: false,
      text: `reply ${i}`,
      createdAt: hoursFromNow(0.01 * i),
      meta: {},
    }));
    await Promise.all(
      replies.flatMap((reply) => [
        store.recordOutbound(reply),
        store.applyDelivery({ schemaVersion: 1, outboundId: reply.id, ticketId: ticket.id, channel: reply.channel, status: 'sent', at: hoursFromNow(0.5) }),
      ]),
    );
    const states = (await store.getTicket(ticket.id))!.messages.filter((m) => m.direction === 'outbound').map((m) => m.deliveryState);
    expect(states).toEqual(replies.map(() => 'sent'));
  });

  it('records a batch of outbound messages in one transaction', async () => {
    const customers = [routedMessage({}), routedMessage({})];
    const tickets = (await store.writeRouted(customers)).newTickets;
    const acks: OutboundMessage[] = tickets.map((t, i) => ({
      schemaVersion: 1, id: stableId('ack', t.id), kind: 'ack', ticketId: t.id, ticketNumber: t.number, channel: customers[i]!.channel,
      account: customers[i]!.account, conversationKey: customers[i]!.conversationKey, recipient: customers[i]!.sender, public: false,
      text: 'received', createdAt: new Date().toISOString(), meta: {},
    }));
    await expect(store.recordOutbounds([...acks, { ...acks[0]!, id: 'ack_orphan', ticketId: 'tkt_missing' }])).rejects.toThrow(/no ticket tkt_missing/);
    expect((await store.getTicket(tickets[0]!.id))!.messages.some((m) => m.direction === 'outbound')).toBe(false);
    await store.recordOutbounds(acks);
    for (const t of tickets) expect((await store.getTicket(t.id))!.messages.filter((m) => m.kind === 'ack')).toHaveLength(1);
  });

  it('gives the latest human message of a ticket for a reply', async () => {
    const conversationKey = uniqueKey('last');
    const first = routedMessage({ conversationKey });
    const second = routedMessage({ conversationKey, text: 'Any news?' });
    const autoReply = routedMessage({ conversationKey, autoSubmitted: 'auto-replied', text: 'Out of office' });
    const ticket = (await store.writeRouted([first, second, autoReply])).newTickets[0]!;
    expect((await store.lastInbound(ticket.number))?.id).toBe(second.id);
    expect(await store.lastInbound('tkt_missing')).toBeUndefined();
  });

  describe('listing', () => {
    let listing: TicketStore;
    let dropListing: () => Promise<void>;
    const ids: Record<string, string> = {};

    beforeAll(async () => {
      const fresh = await backend.fresh();
      dropListing = fresh.drop;
      listing = await openTicketStore(fresh.options);
      const result = await listing.writeRouted([
        routedMessage({ category: 'transaction', priority: 'normal', externalId: '<a@x>', sentAt: '2026-11-20T09:00:00.000Z' }),
        routedMessage({ category: 'security', priority: 'urgent', externalId: '<b@x>', sentAt: '2026-11-20T09:05:00.000Z', text: 'Someone logged into my account from Lagos' }),
        routedMessage({ channel: 'wechat', account: 'gh_wallet', category: 'refund', priority: 'high', language: 'zh-Hant', externalId: 'wx-1', sentAt: '2026-11-20T09:10:00.000Z', sender: { id: 'wxid_chen', name: '陳先生' }, subject: undefined, text: '請問退款什麼時候到帳？' }),
        routedMessage({ category: 'account', priority: 'low', externalId: '<d@x>', sentAt: '2026-11-20T09:15:00.000Z', subject: 'Change my phone number' }),
      ]);
      for (const [index, name] of ['transaction', 'security', 'refund', 'account'].entries()) ids[name] = result.newTickets[index]!.id;
      await listing.updateTicket(ids.account!, { status: 'resolved' });
    });
    afterAll(async () => {
      await listing?.close();
      await dropListing?.();
    });

    it('sorts newest first by default and urgent first on request', async () => {
      expect((await listing.listTickets()).map((t) => t.category)).toEqual(['account', 'refund', 'security', 'transaction']);
      expect((await listing.listTickets({ sort: 'urgent' })).map((t) => t.priority)).toEqual(['urgent', 'high', 'normal', 'low']);
    });

    it('filters by status, category, priority, channel, language and words', async () => {
      const idsOf = async (filter: Parameters<TicketStore['listTickets']>[0]) => (await listing.listTickets(filter)).map((t) => t.id);
      expect(await idsOf({ status: 'resolved' })).toEqual([ids.account]);
      expect(await idsOf({ status: 'open', sort: 'urgent' })).toEqual([ids.security, ids.refund, ids.transaction]);
      expect(await idsOf({ category: 'security' })).toEqual([ids.security]);
      expect(await idsOf({ priority: 'high' })).toEqual([ids.refund]);
      expect(await idsOf({ channel: 'wechat' })).toEqual([ids.refund]);
      expect(await idsOf({ language: 'zh-Hant' })).toEqual([ids.refund]);
      expect(await idsOf({ q: 'lagos' })).toEqual([ids.security]);
      expect(await idsOf({ q: '陳' })).toEqual([ids.refund]);
      expect(await idsOf({ q: 'phone number' })).toEqual([ids.account]);
      expect(await idsOf({ q: '100%' })).toEqual([]);
      expect(await idsOf({ category: 'security', priority: 'low' })).toEqual([]);
    });

    it('pages with limit and offset and returns the documented shape', async () => {
      const page = await listing.listTickets({ limit: 2, offset: 1 });
      expect(page.map((t) => t.id)).toEqual([ids.refund, ids.security]);
      expect(page[0]).toEqual({
        id: ids.refund,
        number: expect.stringMatching(/^SB-\d{6}$/),
        status: 'open',
        category: 'refund',
        priority: 'high',
        language: 'zh-Hant',
        channel: 'wechat',
        account: 'gh_wallet',
        conversationKey: 'wx-1',
        customer: { id: 'wxid_chen', name: '陳先生' },
        preview: '請問退款什麼時候到帳？',
        messageCount: 1,
        triage: false,
        confidence: 0.91,
        createdAt: '2026-11-20T09:10:00.000Z',
        updatedAt: expect.any(String),
        lastMessageAt: '2026-11-20T09:10:00.000Z',
      });
      expect(await listing.stats()).toEqual({ tickets: 4, messages: 4, corrections: 0, byCategory: { transaction: 1, security: 1, refund: 1, account: 1 } });
    });
  });
});

describe('ticket store on an unreachable PostgreSQL', () => {
  it("fails with the driver's error code, which the consumer runner treats as transient", async () => {
    const failure = await openTicketStore({ url: 'postgres://postgres@127.0.0.1:1/nothing' }).catch((error: unknown) => error);
    expect(failure).toMatchObject({ code: 'ECONNREFUSED' });
  });
});

describe('ticket store when PostgreSQL drops the connection', () => {
  it('surfaces the server error code (57P01) of a terminated session as transient, then works again', async () => {
    const database = await freshDatabase();
    const store = await openTicketStore({ url: database.url });
    const locker = new pg.Client({ connectionString: database.url });
    try {
      await store.writeRouted([routedMessage()]);
      // Hold a lock the write needs, so the write is in flight when its session is terminated.
      await locker.connect();
      await locker.query('BEGIN');
      await locker.query('LOCK TABLE messages IN ACCESS EXCLUSIVE MODE');
      const message = routedMessage();
      const blocked = store.writeRouted([message]).catch((error: unknown) => error);
      await eventually(
        async () => (await locker.query(`SELECT 1 FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'`)).rowCount! > 0,
        10_000,
        'the write waits for the lock',
      );
      await locker.query('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()');
      const failure = await blocked;
      expect(failure).toMatchObject({ code: '57P01' });
      expect(isRetriable(failure)).toBe(true);
      await locker.query('ROLLBACK');
      // The pool replaces the dead connections: the same write succeeds without a restart.
      await store.ping();
      expect((await store.writeRouted([message])).inserted).toEqual([message.id]);
    } finally {
      await locker.end().catch(() => undefined);
      await store.close();
      await database.drop();
    }
  });
});
