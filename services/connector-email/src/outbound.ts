/**
 * What we send: agent replies and acknowledgements that thread in the customer's client. Our
 * Message-ID names the ticket (`sb.SB-000123.<hash>@domain`), the References chain starts with the
 * customer's conversation root (so their answer comes back on the same conversationKey), and the
 * subject carries `[#SB-000123]` for clients that drop the headers.
 */
import { createHash } from 'node:crypto';
import type { OutboundMessage } from '@switchboard/schema';
import type { EmailAccountConfig } from './config.ts';
import { parseMessageIds, REPLY_PREFIX, ticketTokenIn } from './threading.ts';
import { PermanentError } from '@switchboard/runtime';

export interface OutgoingMail {
  messageId: string;
  from: { name: string; address: string };
  to: string;
  subject: string;
  text: string;
  inReplyTo?: string;
  references: string[];
  headers: Record<string, string>;
}

export class NoRecipientError extends PermanentError {
  override readonly name = 'NoRecipientError';
}

/** The domain of an account's Message-IDs. */
export function messageIdDomainOf(account: Pick<EmailAccountConfig, 'address' | 'messageIdDomain'>): string {
  return account.messageIdDomain ?? account.address.split('@')[1]!;
}

/** Every domain our Message-IDs use: a bounce whose original carries one of them is of a reply of ours. */
export function ownMessageIdDomains(accounts: readonly Pick<EmailAccountConfig, 'address' | 'messageIdDomain'>[]): Set<string> {
  return new Set(accounts.map((account) => messageIdDomainOf(account).toLowerCase()));
}

/** Deterministic, so a send retried after a crash carries the same Message-ID and clients see one mail. */
export function outboundMessageId(message: Pick<OutboundMessage, 'id' | 'ticketNumber'>, domain: string): string {
  const hash = createHash('sha256').update(message.id).digest('hex').slice(0, 20);
  return `sb.${message.ticketNumber}.${hash}@${domain}`;
}

function bare(ids: readonly string[]): string[] {
  return ids.flatMap((id) => parseMessageIds(id));
}

export function buildOutgoingMail(message: OutboundMessage, account: EmailAccountConfig): OutgoingMail {
  // An address kept as the customer's client wrote it (spaces, an encoded-word) would be "repaired" into someone else's.
  const unusable = message.recipient.unusableAddress;
  if (unusable) throw new NoRecipientError(`outbound ${message.id}: ${unusable.reason}`);
  const to = message.recipient.address ?? (message.recipient.id.includes('@') ? message.recipient.id : undefined);
  if (!to) throw new NoRecipientError(`outbound ${message.id} has no recipient address`);
  const domain = messageIdDomainOf(account);
  const root = message.conversationKey.startsWith('email:') ? message.conversationKey.slice('email:'.length) : undefined;
  const parent = message.inReplyTo ? bare([message.inReplyTo.externalId])[0] : undefined;
  const chain = [...(root ? [root] : []), ...bare(message.inReplyTo?.references ?? []), ...(parent ? [parent] : [])];
  const references = [...new Set(chain)];
  const inReplyTo = parent ?? references[references.length - 1];

  const base = message.subject?.trim() || 'Your message to us';
  const replied = inReplyTo && !REPLY_PREFIX.test(base) ? `Re: ${base}` : base;
  const subject = ticketTokenIn(replied) === message.ticketNumber ? replied : `${replied} [#${message.ticketNumber}]`;

  const headers: Record<string, string> = {};
  if (message.kind === 'ack') {
    // RFC 3834: an automatic answer, which other responders must not answer in turn.
    headers['Auto-Submitted'] = 'auto-replied';
    headers['X-Auto-Response-Suppress'] = 'All';
  }
  return {
    messageId: outboundMessageId(message, domain),
    from: { name: account.displayName ?? '', address: account.address },
    to,
    subject,
    text: message.text,
    ...(inReplyTo ? { inReplyTo } : {}),
    references,
    headers,
  };
}
