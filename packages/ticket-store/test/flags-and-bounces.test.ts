/**
 * What connectors find about a message beyond its text: a suspect sender (kept apart from the real
 * contact), a spam verdict (kept on the ticket, filtered by), and a delivery report that names what
 * was sent only by the channel's id (a bounce quoting our Message-ID).
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { stableId, type OutboundMessage } from '@switchboard/schema';
import { type TicketStore } from '../src/index.ts';
import { BACKENDS, hoursFromNow, routedMessage, uniqueKey, storeForTests } from './fixtures.ts';

describe.each(BACKENDS)('ticket store on $name: sender flags, spam, reports by channel id', (backend) => {
  const current = storeForTests(backend);
  let store: TicketStore;
  beforeAll(() => {
    store = current();
  });

  const replyTo = (ticket: { id: string; number: string }, customer: ReturnType<typeof routedMessage>, id: string): OutboundMessage => ({
    schemaVersion: 1,
    id,
    kind: 'reply',
    ticketId: ticket.id,
    ticketNumber: ticket.number,
    channel: customer.channel,
    account: customer.account,
    conversationKey: customer.conversationKey,
    recipient: customer.sender,
    public: false,
    subject: customer.subject,
    text: 'Your refund is on its way.',
    createdAt: hoursFromNow(0),
    meta: {},
  });

  it('keeps a suspect sender apart from the real contact with the same id, and says why on the ticket', async () => {
    const domain = uniqueKey('bank');
    const real = routedMessage({ conversationKey: uniqueKey('real'), sender: { id: `support@${domain}.example`, address: `support@${domain}.example`, name: 'Bank Support' } });
    const suspect = { code: 'encoded-word-in-address', reason: 'The address is built to look like another one.' };
    const forged = routedMessage({
      conversationKey: uniqueKey('forged'),
      sender: { id: `support@${domain}.example`, address: `=?utf-8?B?c3VwcG9ydA==?=@${domain}.example`, suspect, unusableAddress: { code: 'encoded-word-in-address', reason: 'No reply can go to it.' } },
    });
    const result = await store.writeRouted([real, forged]);
    expect(result.newTickets).toHaveLength(2);
    const realTicket = (await store.getTicket(result.newTickets[0]!.id))!;
    const forgedTicket = (await store.getTicket(result.newTickets[1]!.id))!;
    expect(realTicket.ticket.customer).toEqual({ id: `support@${domain}.example`, name: 'Bank Support', address: `support@${domain}.example` });
    expect(forgedTicket.ticket.customer).toMatchObject({ id: `support@${domain}.example`, address: `=?utf-8?B?c3VwcG9ydA==?=@${domain}.example`, suspect });
    expect(forgedTicket.ticket.customer.name).toBeUndefined();
    expect(forgedTicket.messages[0]!.sender.suspect).toEqual(suspect);
    // A later message of the real contact does not take over the suspect one, nor the reverse.
    await store.writeRouted([routedMessage({ conversationKey: uniqueKey('real-again'), sender: { id: `support@${domain}.example`, name: 'Bank Support Team' } })]);
    expect((await store.getTicket(forgedTicket.ticket.id))!.ticket.customer.name).toBeUndefined();
    expect((await store.getTicket(realTicket.ticket.id))!.ticket.customer.suspect).toBeUndefined();
  });

  it('marks the ticket a spam message opened, filters by it, and lets an agent clear or set the mark', async () => {
    const spam = { reason: 'X-Spam-Status: Yes, score=9.1', score: 9.1 };
    const junk = routedMessage({ conversationKey: uniqueKey('spam'), spam, subject: `Win a prize ${uniqueKey('q')}` });
    const honest = routedMessage({ conversationKey: uniqueKey('honest') });
    const { newTickets } = await store.writeRouted([junk, honest]);
    const [junkTicket, honestTicket] = newTickets.map((t) => t.id);
    const stored = (await store.getTicket(junkTicket!))!;
    expect(stored.ticket.spam).toEqual(spam);
    expect(stored.messages[0]!.spam).toEqual(spam);
    expect((await store.getTicket(honestTicket!))!.ticket.spam).toBeUndefined();

    const ids = async (spamFilter: boolean | undefined) => (await store.listTickets({ limit: 500, ...(spamFilter === undefined ? {} : { spam: spamFilter }) })).map((t) => t.id);
    expect(await ids(true)).toContain(junkTicket);
    expect(await ids(true)).not.toContain(honestTicket);
    expect(await ids(false)).toContain(honestTicket);
    expect(await ids(false)).not.toContain(junkTicket);
    expect(await ids(undefined)).toEqual(expect.arrayContaining([junkTicket, honestTicket]));

    expect((await store.updateTicket(junkTicket!, { spam: false }))!.spam).toBeUndefined();
    expect(await ids(false)).toContain(junkTicket);
    expect((await store.updateTicket(honestTicket!, { spam: true }))!.spam).toEqual({ reason: 'marked as spam by an agent' });
    // A filter's own verdict is not overwritten by an agent's second "spam".
    await store.updateTicket(junkTicket!, { spam: true });
    await store.updateTicket(junkTicket!, { status: 'pending' });
    expect((await store.getTicket(junkTicket!))!.ticket.spam).toEqual({ reason: 'marked as spam by an agent' });
  });

  it('applies a failure named only by the channel id of what was sent (a bounce) to that outbound message', async () => {
    const customer = routedMessage({ conversationKey: uniqueKey('bounced') });
    const ticket = (await store.writeRouted([customer])).newTickets[0]!;
    const reply = replyTo(ticket, customer, stableId('reply', ticket.id, 'bounced'));
    await store.recordOutbound(reply);
    const sentAs = `sb.${ticket.number}.${uniqueKey('hash')}@wallet.example`;
    await store.applyDelivery({ schemaVersion: 1, outboundId: reply.id, ticketId: ticket.id, channel: 'email', status: 'sent', externalId: sentAs, at: hoursFromNow(0.1) });
    // Another channel's message that happens to have the same id is not touched.
    await store.applyDelivery({ schemaVersion: 1, channel: 'slack', status: 'failed', externalId: sentAs, reason: 'not this one', at: hoursFromNow(0.3) });
    expect((await store.getTicket(ticket.id))!.messages[1]).toMatchObject({ id: reply.id, deliveryState: 'sent', externalId: sentAs });

    // The bounce's Date (whole seconds) may read earlier than the send's report: it still comes after it.
    const bounce = { schemaVersion: 1 as const, channel: 'email', status: 'failed' as const, externalId: sentAs, reason: '5.1.1 smtp; 550 5.1.1 User unknown', at: hoursFromNow(0.09) };
    await store.applyDelivery(bounce);
    await store.applyDelivery(bounce);
    const messages = (await store.getTicket(ticket.id))!.messages;
    expect(messages[1]).toMatchObject({ id: reply.id, deliveryState: 'failed', deliveryReason: '5.1.1 smtp; 550 5.1.1 User unknown', externalId: sentAs });
  });

  it('keeps a failure that arrives before the report of the send, and applies it once that report names the id', async () => {
    const customer = routedMessage({ conversationKey: uniqueKey('early-bounce') });
    const ticket = (await store.writeRouted([customer])).newTickets[0]!;
    const ack = { ...replyTo(ticket, customer, stableId('ack', ticket.id)), kind: 'ack' as const };
    await store.recordOutbound(ack);
    const sentAs = `sb.${ticket.number}.${uniqueKey('hash')}@wallet.example`;
    await store.applyDelivery({ schemaVersion: 1, channel: 'email', status: 'failed', externalId: sentAs, reason: '5.2.2 mailbox full', at: hoursFromNow(0.05) });
    expect((await store.getTicket(ticket.id))!.messages[1]).toMatchObject({ deliveryState: 'queued' });
    await store.applyDelivery({ schemaVersion: 1, outboundId: ack.id, ticketId: ticket.id, channel: 'email', status: 'sent', externalId: sentAs, at: hoursFromNow(0.1) });
    expect((await store.getTicket(ticket.id))!.messages[1]).toMatchObject({ id: ack.id, deliveryState: 'failed', deliveryReason: '5.2.2 mailbox full' });
    // A failure of something nobody reported sending is kept, and changes nothing.
    await expect(store.applyDelivery({ schemaVersion: 1, channel: 'email', status: 'failed', externalId: `unknown-${sentAs}`, at: hoursFromNow(0) })).resolves.toBeUndefined();
  });
});
