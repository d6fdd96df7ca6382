import { addCollector, gauge, type Logger } from '@switchboard/runtime';
import { readSla, type SlaPolicy } from '@switchboard/team';
import type { TicketStore } from '@switchboard/ticket-store';

const slaTickets = gauge('switchboard_sla_tickets', 'Open and pending tickets by SLA clock, its state (running, warning, breached, paused) and priority.');

/** Reads the SLA clocks of the open queue at each scrape. Returns a function that stops it. */
export function registerSlaMetrics(store: TicketStore, policy: SlaPolicy, logger: Logger): () => void {
  return addCollector(async () => {
    try {
      const counts = new Map<string, number>();
      const now = new Date();
      for (const row of await store.queue()) {
        const reading = readSla(row, policy, now);
        for (const clock of ['firstResponse', 'resolution'] as const) {
          const key = `${clock}\u001f${reading[clock].state}\u001f${row.priority}`;
          counts.set(key, (counts.get(key) ?? 0) + 1);
        }
      }
      for (const clock of ['firstResponse', 'resolution']) for (const state of ['running', 'warning', 'breached', 'paused', 'met']) for (const priority of ['urgent', 'high', 'normal', 'low']) slaTickets.set({ clock, state, priority }, counts.get(`${clock}\u001f${state}\u001f${priority}`) ?? 0);
    } catch (error) {
      logger.warn('SLA metrics not collected', { error });
    }
  });
}
