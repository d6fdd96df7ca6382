import { inReplyToOf, OutboundMessage, stableId, type Language } from '@switchboard/schema';
import type { PendingAck } from '@switchboard/ticket-store';

interface AckWording {
  text: (ticketNumber: string) => string;
  /** Subject when the customer's message had none. */
  subject: string;
}

const WORDING: Record<'en' | 'zh-Hans' | 'zh-Hant', AckWording> = {
  en: {
    text: (n) =>
      `We received your message. Your ticket number is ${n}.\n` +
      `Our support team will get back to you as soon as possible. To add anything, simply reply to this message; ` +
      `please mention ${n} whenever you contact us about this request.\n\nThis is an automatic message.`,
    subject: 'We received your message',
  },
  'zh-Hans': {
    text: (n) => `我们已收到您的消息，工单号 ${n}。\n客服团队会尽快回复您。如需补充信息，请直接回复本消息；就此问题联系我们时，请提供工单号 ${n}。\n\n（此为自动回复）`,
    subject: '我们已收到您的消息',
  },
  'zh-Hant': {
    text: (n) => `我們已收到您的訊息，工單號 ${n}。\n客服團隊會盡快回覆您。如需補充資訊，請直接回覆本訊息；就此問題聯絡我們時，請提供工單號 ${n}。\n\n（此為自動回覆）`,
    subject: '我們已收到您的訊息',
  },
};

function wordingFor(language: Language): AckWording {
  return language === 'zh-Hans' || language === 'zh-Hant' ? WORDING[language] : WORDING.en;
}

/**
 * Why a new ticket gets no acknowledgement although its channel sends them: the sender's identity looks
 * forged (an answer would confirm the forgery to whoever it reaches), no reply can reach the address as
 * written, or a spam filter judged the opening message. Undefined: acknowledge.
 */
export function ackWithheld({ ticket, opening }: PendingAck): string | undefined {
  if (opening.sender.suspect) return `suspect sender (${opening.sender.suspect.code})`;
  if (opening.sender.unusableAddress) return `no usable address (${opening.sender.unusableAddress.code})`;
  if (ticket.spam || opening.spam) return 'spam';
  return undefined;
}

/** The ack id depends on the ticket alone: however often it is produced, a connector sends it once. */
export function ackIdFor(ticketId: string): string {
  return stableId('ack', ticketId);
}

/**
 * The automatic acknowledgement of a new ticket, in the customer's language, as a reply to the message
 * that opened it. The subject is the customer's own (or the wording's when they gave none): how a reply
 * subject reads on the channel (a prefix, the ticket token) is the connector's business. `replyMode` is
 * what the channel's reply policy allowed.
 */
export function buildAck({ ticket, opening }: PendingAck, now: Date = new Date(), replyMode?: string): OutboundMessage {
  const wording = wordingFor(ticket.language);
  return OutboundMessage.parse({
    schemaVersion: 1,
    id: ackIdFor(ticket.id),
    kind: 'ack',
    ticketId: ticket.id,
    ticketNumber: ticket.number,
    channel: ticket.channel,
    account: ticket.account,
    conversationKey: ticket.conversationKey,
    recipient: opening.sender,
    public: false,
    inReplyTo: inReplyToOf(opening),
    subject: opening.subject?.trim() || wording.subject,
    text: wording.text(ticket.number),
    createdAt: now.toISOString(),
    ...(replyMode ? { replyMode } : {}),
    meta: { language: ticket.language },
  });
}
