/**
 * The Send API bodies, built from an outbound message and its reply mode. Shapes as documented:
 * Messenger and Instagram `POST /{page-id}/messages` with `recipient`, `messaging_type` (`RESPONSE`,
 * or `MESSAGE_TAG` with `tag: HUMAN_AGENT`) and `message.text` (developers.facebook.com/docs/
 * messenger-platform/reference/send-api; Instagram: …/instagram-messaging/features/send-message);
 * WhatsApp `POST /{phone-number-id}/messages` with `messaging_product: whatsapp`, `to`, and a `text`
 * or `template` object (developers.facebook.com/documentation/business-messaging/whatsapp/messages/
 * text-messages, …/template-messages).
 */
import { PermanentSendError } from '@switchboard/connector-sdk';
import type { OutboundMessage } from '@switchboard/schema';
import type { TemplateParameter, WhatsAppTemplate } from './config.ts';
import { REPLY_MODES } from './policy.ts';

export const META_CHANNELS = ['messenger', 'instagram', 'whatsapp'] as const;
export type MetaChannel = (typeof META_CHANNELS)[number];

/** Text limits of one message: Messenger 2,000 characters, Instagram 1,000 bytes of UTF-8, WhatsApp 4,096 characters. */
const LIMITS: Record<MetaChannel, { max: number; size: (char: string) => number }> = {
  messenger: { max: 2000, size: () => 1 },
  instagram: { max: 1000, size: (char) => Buffer.byteLength(char, 'utf8') },
  whatsapp: { max: 4096, size: () => 1 },
};

/** The customer of a conversation: `<channel>:<our account>:<their id>` (PSID, IGSID or wa_id). */
export function conversationKeyOf(channel: MetaChannel, account: string, customer: string): string {
  return `${channel}:${account}:${customer}`;
}

export function parseConversationKey(key: string): { channel: MetaChannel; account: string; customer: string } | undefined {
  const match = /^(messenger|instagram|whatsapp):([^:]+):(.+)$/.exec(key);
  return match ? { channel: match[1] as MetaChannel, account: match[2]!, customer: match[3]! } : undefined;
}

export class UnsendableError extends PermanentSendError {
  override readonly name = 'UnsendableError';
}

/** Where to cut `head`: its last paragraph, line, sentence or word break in its second half; -1 when none. */
function breakIn(head: string): number {
  for (const mark of ['\n\n', '\n', '. ', ' ']) {
    const at = head.lastIndexOf(mark);
    if (at > head.length / 2) return mark === '. ' ? at + 1 : at;
  }
  return -1;
}

/**
 * `text` in pieces that each fit `channel`'s limit, cut at a paragraph, else a line, a sentence or a word
 * break near the limit: a long answer reaches the customer as several messages, in order.
 */
export function splitForChannel(channel: MetaChannel, text: string): string[] {
  const limit = LIMITS[channel];
  const pieces: string[] = [];
  let rest = [...text.trim()];
  while (rest.length > 0) {
    let end = 0;
    for (let total = 0; end < rest.length && (total += limit.size(rest[end]!)) <= limit.max; end++);
    const head = rest.slice(0, end).join('');
    const cut = end === rest.length ? -1 : breakIn(head);
    const at = cut > 0 ? [...head.slice(0, cut)].length : end;
    const piece = rest.slice(0, at).join('').trim();
    if (piece) pieces.push(piece);
    rest = [...rest.slice(at).join('').trimStart()];
  }
  return pieces;
}

/** A Messenger or Instagram Send API body for one piece of text, in the decision's mode. */
export function messagingBody(message: OutboundMessage, customer: string, text: string): Record<string, unknown> {
  const mode = message.replyMode ?? REPLY_MODES.response;
  if (mode === REPLY_MODES.humanAgent) {
    // The tag is for a person's answer; the reply policy never lets an acknowledgement have this mode.
    if (message.kind !== 'reply') throw new UnsendableError("Meta's human-agent tag is only for replies a person wrote");
    return { recipient: { id: customer }, messaging_type: 'MESSAGE_TAG', tag: 'HUMAN_AGENT', message: { text } };
  }
  if (mode !== REPLY_MODES.response) throw new UnsendableError(`reply mode "${mode}" is not one of Messenger's and Instagram's (response, human_agent)`);
  return { recipient: { id: customer }, messaging_type: 'RESPONSE', message: { text } };
}

/** A WhatsApp free-form text message (inside the 24-hour customer-service window). */
export function whatsappTextBody(customer: string, text: string): Record<string, unknown> {
  return { messaging_product: 'whatsapp', recipient_type: 'individual', to: customer, type: 'text', text: { preview_url: false, body: text } };
}

/**
 * Template parameters may not hold line breaks, tabs or more than four spaces in a row (WhatsApp error
 * 132018): the agent's text is put on one line.
 */
function templateValue(parameter: TemplateParameter, message: OutboundMessage): string {
  if (parameter === 'ticket') return message.ticketNumber;
  if (parameter === 'name') return message.recipient.name?.trim() || message.recipient.id;
  return message.text.replace(/\s*\n\s*/g, ' / ').replace(/\s+/g, ' ').trim();
}

/** The configured approved template, its body variables filled from the reply, once the window has closed. */
export function whatsappTemplateBody(customer: string, message: OutboundMessage, template: WhatsAppTemplate | undefined): Record<string, unknown> {
  if (!template) {
    throw new UnsendableError('the 24-hour WhatsApp window has closed and no approved template is configured (WHATSAPP_TEMPLATE_NAME): the customer must write first');
  }
  const parameters = template.parameters.map((p) => ({ type: 'text', text: templateValue(p, message) }));
  return {
    messaging_product: 'whatsapp',
    recipient_type: 'individual',
    to: customer,
    type: 'template',
    template: { name: template.name, language: { code: template.language }, ...(parameters.length > 0 ? { components: [{ type: 'body', parameters }] } : {}) },
  };
}
