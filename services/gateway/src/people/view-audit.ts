import type { Actor, AuditTrail } from '@switchboard/team';

const REPEAT_MS = 10 * 60_000;

/**
 * Views of a ticket go to the audit trail once per person and ticket in ten minutes: the live console
 * reloads an open ticket on every change, and the trail should say who looked, not how often a page
 * refreshed.
 */
export class ViewAudit {
  private readonly last = new Map<string, number>();

  constructor(private readonly audit: AuditTrail) {}

  async viewed(actor: Actor, ticketNumber: string, now = Date.now()): Promise<void> {
    const key = `${actor.id}\u001f${ticketNumber}`;
    const previous = this.last.get(key);
    if (previous !== undefined && now - previous < REPEAT_MS) return;
    this.last.set(key, now);
    if (this.last.size > 50_000) for (const [k, at] of this.last) if (now - at >= REPEAT_MS) this.last.delete(k);
    await this.audit.record(actor, 'ticket.view', ticketNumber);
  }
}
