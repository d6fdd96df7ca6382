/**
 * Delivery status notifications (RFC 3464, and RFC 6533's `message/global-delivery-status`): what
 * happened to each recipient, and the message that bounced, from the report's attached original
 * (`message/rfc822`, or only its headers as `text/rfc822-headers`). When that original is one of our
 * replies (its Message-ID is ours: `sb.<ticket>.<hash>@<our domain>`), the bounce joins the reply's
 * conversation and the reply is reported failed.
 */
import type { ParsedMail } from 'mailparser';
import type { Thread } from '@switchboard/schema';
import { parseMessageIds, threadFields, threadOf, ticketOfOwnMessageId, type Threading } from './threading.ts';

export interface RecipientStatus {
  recipient?: string;
  /** `failed`, `delayed`, `delivered`, `relayed`, `expanded`. */
  action?: string;
  /** The enhanced status code, e.g. `5.1.1`. */
  status?: string;
  /** The remote server's answer, e.g. `smtp; 550 5.1.1 User unknown`. */
  diagnostic?: string;
}

export interface DeliveryStatus {
  reportingMta?: string;
  recipients: RecipientStatus[];
  /** The headers of the message that bounced, when the report carries them. */
  original?: { messageId?: string; inReplyTo: string[]; references: string[]; subject?: string };
}

const STATUS_TYPES = new Set(['message/delivery-status', 'message/global-delivery-status']);
const ORIGINAL_TYPES = new Set(['message/rfc822', 'message/global', 'text/rfc822-headers', 'message/rfc822-headers', 'message/global-headers']);

/** Header-style fields, unfolded: name (lower case) → value, in groups separated by blank lines. */
function fieldGroups(text: string): Map<string, string>[] {
  return text
    .replace(/\r\n?/g, '\n')
    .replace(/\n[ \t]+/g, ' ')
    .split(/\n\s*\n/)
    .map((group) => {
      const fields = new Map<string, string>();
      for (const line of group.split('\n')) {
        const colon = line.indexOf(':');
        if (colon > 0) fields.set(line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim());
      }
      return fields;
    })
    .filter((fields) => fields.size > 0);
}

/** `rfc822; nobody@customer.test` → `nobody@customer.test`. */
const withoutType = (value: string | undefined) => value?.replace(/^[^;]*;\s*/, '') || undefined;

function headerSectionOf(content: Buffer): string {
  const text = content.toString('utf8');
  const end = text.search(/\r?\n\r?\n/);
  return end < 0 ? text : text.slice(0, end);
}

export function readDeliveryStatus(parsed: ParsedMail): DeliveryStatus | undefined {
  const statusPart = parsed.attachments.find((a) => STATUS_TYPES.has(a.contentType.toLowerCase()));
  if (!statusPart) return undefined;
  const [perMessage, ...perRecipient] = fieldGroups(statusPart.content.toString('utf8'));
  const recipients = perRecipient.map((fields) => {
    const status: RecipientStatus = {};
    const recipient = withoutType(fields.get('final-recipient') ?? fields.get('original-recipient'));
    if (recipient) status.recipient = recipient;
    for (const [key, field] of [['action', 'action'], ['status', 'status'], ['diagnostic', 'diagnostic-code']] as const) {
      const value = fields.get(field);
      if (value) status[key] = key === 'action' ? value.toLowerCase() : value;
    }
    return status;
  });
  const report: DeliveryStatus = { recipients };
  const reportingMta = withoutType(perMessage?.get('reporting-mta'));
  if (reportingMta) report.reportingMta = reportingMta;
  const originalPart = parsed.attachments.find((a) => ORIGINAL_TYPES.has(a.contentType.toLowerCase()));
  if (originalPart) {
    const [headers] = fieldGroups(headerSectionOf(originalPart.content));
    if (headers) {
      const messageId = parseMessageIds(headers.get('message-id'))[0];
      const subject = headers.get('subject');
      report.original = {
        ...(messageId ? { messageId } : {}),
        inReplyTo: parseMessageIds(headers.get('in-reply-to')),
        references: parseMessageIds(headers.get('references')),
        ...(subject ? { subject } : {}),
      };
    }
  }
  return report;
}

/** Why delivery failed, for the agent: each failed recipient's status and the server's words. Undefined when none failed (a delay is not a failure). */
export function failureReason(report: DeliveryStatus): string | undefined {
  const failed = report.recipients.filter((r) => r.action === 'failed' || (r.action === undefined && r.status?.startsWith('5.')));
  if (failed.length === 0) return undefined;
  return failed
    .map((r) => [r.status, r.diagnostic, r.recipient ? `(${r.recipient})` : undefined].filter(Boolean).join(' ') || 'delivery failed')
    .join('; ')
    .slice(0, 1000);
}

export interface BouncedReply {
  /** Our Message-ID of the reply that bounced. */
  messageId: string;
  /** The reply's conversation: the root of its References, as a customer's answer to it would have. */
  threading: Threading;
  thread: Thread;
  /** Set when a recipient failed (not when delivery is only delayed). */
  failure?: string;
}

/** The reply of ours a report is about, when its original carries one of our Message-IDs (on one of our domains, if given). */
export function bouncedReply(report: DeliveryStatus, ownDomains?: ReadonlySet<string>): BouncedReply | undefined {
  const original = report.original;
  const messageId = original?.messageId;
  const ticketRef = messageId ? ticketOfOwnMessageId(messageId) : undefined;
  if (!original || !messageId || !ticketRef) return undefined;
  if (ownDomains && !ownDomains.has(messageId.split('@').pop()!.toLowerCase())) return undefined;
  const chain = threadOf({ messageId, inReplyTo: original.inReplyTo, references: original.references });
  const threading: Threading = { ...chain, reason: 'bounced-message', ticketRef };
  const failure = failureReason(report);
  return { messageId, threading, thread: threadFields(threading, [...original.references, messageId], []), ...(failure ? { failure } : {}) };
}
