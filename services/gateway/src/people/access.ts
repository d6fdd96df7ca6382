import { HttpError } from '@switchboard/http';
import { can, maskPerson, maskText, seesCustomerDetails, type TeamStore } from '@switchboard/team';
import type { RelatedConversation, StoredMessage, TicketSummary, TicketVisibility } from '@switchboard/ticket-store';
import type { Principal } from './authenticator.ts';

const DIRECTORY_TTL_MS = 5_000;

/** Teams and their categories, read at most every few seconds: every request and live event asks. */
export class TeamDirectory {
  private cached: { at: number; categoriesOf: Map<string, string[]>; teamOfCategory: Map<string, string> } | undefined;

  constructor(private readonly team: TeamStore) {}

  private async load() {
    if (this.cached && Date.now() - this.cached.at < DIRECTORY_TTL_MS) return this.cached;
    const teams = await this.team.users.teams();
    const categoriesOf = new Map<string, string[]>();
    const teamOfCategory = new Map<string, string>();
    for (const t of teams) {
      for (const category of t.categories) if (!teamOfCategory.has(category)) teamOfCategory.set(category, t.id);
      for (const member of t.memberIds) categoriesOf.set(member, [...(categoriesOf.get(member) ?? []), ...t.categories]);
    }
    this.cached = { at: Date.now(), categoriesOf, teamOfCategory };
    return this.cached;
  }

  async categoriesOf(userId: string): Promise<string[]> {
    return (await this.load()).categoriesOf.get(userId) ?? [];
  }

  /** The team that takes tickets of `category` (the first, when several list it). */
  async teamOfCategory(category: string): Promise<string | undefined> {
    return (await this.load()).teamOfCategory.get(category);
  }

  invalidate(): void {
    this.cached = undefined;
  }
}

/** What a person may see of the tickets, and how: agents their teams' queues, analysts everything masked. */
export class TicketAccess {
  constructor(private readonly directory: TeamDirectory) {}

  /** Undefined: every ticket. */
  async visibility(principal: Principal): Promise<TicketVisibility | undefined> {
    if (can(principal.user.role, 'tickets.read.all')) return undefined;
    return { categories: await this.directory.categoriesOf(principal.user.id), userId: principal.user.id };
  }

  async mayRead(principal: Principal, ticket: { category: string; assignee?: string | undefined }): Promise<boolean> {
    const visibility = await this.visibility(principal);
    return !visibility || ticket.assignee === visibility.userId || visibility.categories.includes(ticket.category);
  }

  /** 404 rather than 403 for a ticket outside one's queues: its existence is not everyone's to know. */
  async requireRead(principal: Principal, ticket: TicketSummary): Promise<void> {
    if (!(await this.mayRead(principal, ticket))) throw new HttpError(404, `no ticket ${ticket.number}`);
  }

  ticket(principal: Principal, ticket: TicketSummary): TicketSummary {
    if (seesCustomerDetails(principal.user.role)) return ticket;
    return { ...ticket, customer: maskPerson(ticket.customer), preview: maskText(ticket.preview), ...(ticket.subject !== undefined ? { subject: maskText(ticket.subject) } : {}) };
  }

  /**
   * The customer's other conversations that this person may open (the others are left out, as their
   * tickets would answer 404), with the keys masked for those who see no customer details: a phone
   * channel's key is the caller's number.
   */
  async related(principal: Principal, related: RelatedConversation[], ticketsOf: (ids: string[]) => Promise<{ id: string; category: string; assignee?: string }[]>): Promise<RelatedConversation[]> {
    const visibility = await this.visibility(principal);
    let shown = related;
    if (visibility) {
      const ids = related.flatMap((r) => (r.ticket ? [r.ticket.id] : []));
      const readable = new Set((await ticketsOf(ids)).filter((t) => t.assignee === visibility.userId || visibility.categories.includes(t.category)).map((t) => t.id));
      shown = related.filter((r) => r.ticket && readable.has(r.ticket.id));
    }
    if (seesCustomerDetails(principal.user.role)) return shown;
    return shown.map((r) => ({ ...r, conversationKey: maskText(r.conversationKey) }));
  }

  message(principal: Principal, message: StoredMessage): StoredMessage {
    if (seesCustomerDetails(principal.user.role)) return message;
    return {
      ...message,
      sender: maskPerson(message.sender),
      ...(message.recipient ? { recipient: maskPerson(message.recipient) } : {}),
      text: maskText(message.text),
      ...(message.subject !== undefined ? { subject: maskText(message.subject) } : {}),
      // A channel's extras hold the raw mail and the addresses of everyone copied: none of it for analysts.
      meta: {},
    };
  }
}
