import { beforeAll, describe, expect, it } from 'vitest';
import { SchemaError } from '@switchboard/schema';
import { pgliteDb } from '@switchboard/db';
import { openTicketStore, type TicketStore } from '../src/index.ts';
import { BACKENDS, routedMessage, storeForTests } from './fixtures.ts';

describe.each(BACKENDS)('corrections on $name', (backend) => {
  const current = storeForTests(backend);
  let store: TicketStore;
  beforeAll(() => {
    store = current();
  });

  it('records each change of category or priority with who, when, the model and the message it corrects', async () => {
    const opening = routedMessage({ subject: 'red packet', text: '我发的红包对方一直没收到', category: 'transaction', priority: 'normal', language: 'zh-Hans', classifierVersion: 'hash-linear-0123456789ab' });
    const ticket = (await store.writeRouted([opening, routedMessage({ conversationKey: opening.conversationKey, text: 'any news?' })])).newTickets[0]!;
    const before = Date.now();
    await store.updateTicket(ticket.number, { category: 'transaction', assignee: 'agent.chen', by: 'agent.chen' });
    await store.updateTicket(ticket.id, { category: 'red_packet', priority: 'high', by: 'agent.chen' });
    await store.updateTicket(ticket.id, { priority: 'urgent' });

    const mine = (await store.listCorrections({ limit: 1000 })).filter((c) => c.ticketId === ticket.id);
    expect(mine.map((c) => [c.field, c.from, c.to, c.correctedBy])).toEqual([
      ['category', 'transaction', 'red_packet', 'agent.chen'],
      ['priority', 'normal', 'high', 'agent.chen'],
      ['priority', 'high', 'urgent', undefined],
    ]);
    expect(mine[0]).toMatchObject({
      ticketNumber: ticket.number,
      messageId: opening.id,
      subject: 'red packet',
      text: '我发的红包对方一直没收到',
      language: 'zh-Hans',
      channel: 'email',
      classifierVersion: 'hash-linear-0123456789ab',
      excluded: false,
    });
    expect(Date.parse(mine[0]!.correctedAt)).toBeGreaterThanOrEqual(before - 5_000);
    // The ticket's own record of its category correction is kept as before.
    expect((await store.getTicket(ticket.id))?.ticket).toMatchObject({ category: 'red_packet', priority: 'urgent' });
  });

  it('filters by field, exclusion and time, and pages', async () => {
    const ticket = (await store.writeRouted([routedMessage({ category: 'refund' })])).newTickets[0]!;
    const since = new Date(Date.now() - 1_000).toISOString();
    await store.updateTicket(ticket.id, { category: 'fees_fx', priority: 'low', by: 'agent.li' });
    const recent = await store.listCorrections({ since, limit: 1000 });
    expect(recent.filter((c) => c.ticketId === ticket.id).map((c) => c.field)).toEqual(['category', 'priority']);
    const categories = await store.listCorrections({ field: 'category', limit: 1000 });
    expect(categories.every((c) => c.field === 'category')).toBe(true);
    const all = await store.listCorrections({ limit: 1000 });
    expect(await store.listCorrections({ limit: 1, offset: 1 })).toEqual([all[1]]);
    await expect(store.listCorrections({ field: 'status' } as never)).rejects.toBeInstanceOf(SchemaError);
  });

  it('lets an admin exclude a correction from training with a reason, and take it back', async () => {
    const ticket = (await store.writeRouted([routedMessage({ category: 'account' })])).newTickets[0]!;
    await store.updateTicket(ticket.id, { category: 'contact', by: 'agent.wu' });
    const [correction] = (await store.listCorrections({ limit: 1000 })).filter((c) => c.ticketId === ticket.id);
    const excluded = await store.reviewCorrection(correction!.id, { excluded: true, reason: 'clicked the wrong category', by: 'admin.zhao' });
    expect(excluded).toMatchObject({ id: correction!.id, excluded: true, excludedBy: 'admin.zhao', exclusionReason: 'clicked the wrong category' });
    expect(excluded?.excludedAt).toBeDefined();
    expect((await store.listCorrections({ excluded: true, limit: 1000 })).map((c) => c.id)).toContain(correction!.id);
    expect((await store.listCorrections({ excluded: false, limit: 1000 })).map((c) => c.id)).not.toContain(correction!.id);
    const restored = await store.reviewCorrection(correction!.id, { excluded: false });
    expect(restored).toMatchObject({ excluded: false });
    expect(restored?.excludedBy).toBeUndefined();
    expect(await store.reviewCorrection('cor_unknown', { excluded: true })).toBeUndefined();
    await expect(store.reviewCorrection(correction!.id, { excluded: 'yes' } as never)).rejects.toBeInstanceOf(SchemaError);
  });
});

describe('the corrections migration', () => {
  it('carries over the category corrections tickets recorded before it', async () => {
    const fresh = await BACKENDS[0]!.fresh(true);
    try {
      const opening = routedMessage({ category: 'transaction', classifierVersion: 'hash-linear-old000000000' });
      const first = await openTicketStore(fresh.options);
      const ticket = (await first.writeRouted([opening])).newTickets[0]!;
      await first.close();
      // Back to the database as it was before migration 9, with the ticket corrected the old way.
      const db = await pgliteDb(fresh.options.dataDir);
      await db.exec(`DROP TABLE corrections; DELETE FROM schema_migrations WHERE version = 9`);
      await db.query(`UPDATE tickets SET category = 'refund', category_corrected_from = 'transaction', corrected = true, corrected_at = now() WHERE id = $1`, [ticket.id]);
      await db.close();

      const migrated = await openTicketStore(fresh.options);
      try {
        expect(await migrated.listCorrections()).toMatchObject([
          { ticketId: ticket.id, messageId: opening.id, field: 'category', from: 'transaction', to: 'refund', classifierVersion: 'hash-linear-old000000000', excluded: false },
        ]);
        expect((await migrated.listCorrections())[0]?.correctedBy).toBeUndefined();
      } finally {
        await migrated.close();
      }
    } finally {
      await fresh.drop();
    }
  });
});
