/**
 * WhatsApp Cloud API webhooks: each entry's `changes[]` of field `messages`, whose `value` carries the
 * business number (`metadata.phone_number_id`), `contacts[]` (profile names by `wa_id`), `messages[]`
 * from customers and `statuses[]` of ours. Shapes as documented: developers.facebook.com/documentation/
 * business-messaging/whatsapp/webhooks/reference/messages (text, image, audio, video, document, sticker,
 * location, contacts, interactive, button, reaction, order, system, unsupported; `referral` of
 * click-to-WhatsApp ads; `context` of replies) and …/messages/status (sent, delivered, read, failed with
 * `errors[]`; a read message is delivered even when no "delivered" status came).
 */
import { createHash } from 'node:crypto';
import { messageId, type Attachment, type InboundMessageInput } from '@switchboard/schema';
import { tidyText, toIso } from '@switchboard/connector-sdk';
import type { Receipt, WebhookItem } from './events.ts';
import { isObject, objects, str, type Json } from './json.ts';
import { WHATSAPP_MEDIA_REF } from './media.ts';
import { conversationKeyOf } from './outbound.ts';

const MEDIA = ['image', 'audio', 'video', 'document', 'sticker'] as const;

/** WhatsApp's `sha256` of a medium, as the hex the envelope keeps (Meta has sent both hex and base64). */
function hexSha256(value: string | undefined): string | undefined {
  if (!value) return undefined;
  if (/^[0-9a-f]{64}$/i.test(value)) return value.toLowerCase();
  const bytes = Buffer.from(value, 'base64');
  return bytes.length === 32 ? bytes.toString('hex') : undefined;
}

function mediaOf(type: (typeof MEDIA)[number], media: Json): Attachment {
  const id = str(media.id) ?? 'unknown';
  const sha256 = hexSha256(str(media.sha256));
  return {
    name: str(media.filename) ?? `${type}-${id}`,
    contentType: str(media.mime_type) ?? 'application/octet-stream',
    size: 0,
    // The bytes stay with Meta until the connector fetches them (media.ts), which replaces this reference.
    storageRef: `${WHATSAPP_MEDIA_REF}${id}`,
    ...(sha256 ? { sha256 } : {}),
  };
}

function contactCard(card: Json): string {
  const name = isObject(card.name) ? (str(card.name.formatted_name) ?? str(card.name.first_name)) : undefined;
  const phones = objects(card.phones).map((p) => str(p.phone)).filter(Boolean);
  const emails = objects(card.emails).map((e) => str(e.email)).filter(Boolean);
  return `Contact: ${[name, ...phones, ...emails].filter(Boolean).join(', ')}`;
}

/** The text, attachments and extras of one message, by its `type`. */
function contentOf(message: Json): { text: string; attachments: Attachment[]; meta: Json } | { skip: string } {
  const type = str(message.type) ?? 'unknown';
  const body = isObject(message[type]) ? (message[type] as Json) : {};
  switch (type) {
    case 'text':
      return { text: str(body.body) ?? '', attachments: [], meta: {} };
    case 'image':
    case 'audio':
    case 'video':
    case 'document':
    case 'sticker':
      return { text: str(body.caption) ?? '', attachments: [mediaOf(type, body)], meta: type === 'audio' && body.voice === true ? { voice: true } : {} };
    case 'location': {
      const where = [str(body.name), str(body.address), `(${String(body.latitude)}, ${String(body.longitude)})`].filter(Boolean).join(' ');
      return { text: `Location: ${where}`, attachments: [], meta: { location: body } };
    }
    case 'contacts':
      return { text: objects(message.contacts).map(contactCard).join('\n'), attachments: [], meta: { contacts: message.contacts } };
    case 'interactive': {
      const reply = isObject(body.button_reply) ? body.button_reply : isObject(body.list_reply) ? body.list_reply : {};
      return { text: [str(reply.title), str(reply.description)].filter(Boolean).join(' — '), attachments: [], meta: { quickReply: str(reply.id) } };
    }
    case 'button':
      return { text: str(body.text) ?? '', attachments: [], meta: { quickReply: str(body.payload) } };
    case 'order':
      return { text: str(body.text) ?? 'Order', attachments: [], meta: { order: body } };
    case 'unsupported': {
      const title = objects(message.errors).map((e) => str(e.title)).find(Boolean);
      return { text: `(a message WhatsApp does not pass on${title ? `: ${title}` : ''})`, attachments: [], meta: { unsupported: message.errors ?? true } };
    }
    case 'reaction':
      return { skip: 'a reaction to a message, not a message' };
    case 'system':
      return { skip: `a system notice (${str(body.type) ?? 'unknown'})` };
    default:
      return { text: `(a message of type ${type})`, attachments: [], meta: { unknownType: type } };
  }
}

/** A customer's WhatsApp number in E.164, when `wa_id` is one. */
function e164(waId: string): string | undefined {
  return /^[1-9]\d{6,14}$/.test(waId) ? `+${waId}` : undefined;
}

function messageItem(account: string, names: Map<string, string>, message: Json, receivedAt: Date): WebhookItem {
  const wamid = str(message.id);
  // `from` is the wa_id; Meta's business-scoped user ids (`user_id`) stand in where a number is hidden.
  const customer = str(message.from) ?? str(message.user_id);
  if (!wamid || !customer) return { kind: 'unusable', reason: 'WhatsApp message without id or from', raw: message, sourceId: `whatsapp/${account}/${wamid ?? 'no-id'}` };
  const content = contentOf(message);
  if ('skip' in content) return { kind: 'skipped', reason: content.skip };
  const meta: Json = { source: 'whatsapp', messageType: str(message.type), ...content.meta };
  if (isObject(message.referral)) meta.referral = message.referral;
  const context = isObject(message.context) ? message.context : undefined;
  if (context?.forwarded === true || context?.frequently_forwarded === true) meta.forwarded = true;
  const name = names.get(customer);
  const phone = e164(customer);
  const envelope: InboundMessageInput = {
    schemaVersion: 1,
    id: messageId('whatsapp', account, wamid),
    channel: 'whatsapp',
    account,
    externalId: wamid,
    conversationKey: conversationKeyOf('whatsapp', account, customer),
    sender: { id: customer, ...(name ? { name } : {}), ...(phone ? { phone, address: phone } : {}) },
    text: tidyText(content.text),
    attachments: content.attachments,
    ...(context && str(context.id) ? { thread: { ancestors: [str(context.id)!] } } : {}),
    // Meta's time of the message, not ours of the webhook: a delayed or retried delivery keeps its time (chatwoot/chatwoot#14739).
    sentAt: toIso(Number(message.timestamp) || undefined, receivedAt),
    receivedAt: receivedAt.toISOString(),
    meta,
  };
  return { kind: 'message', message: envelope };
}

function errorReason(status: Json): string | undefined {
  const [error] = objects(status.errors);
  if (!error) return undefined;
  const details = isObject(error.error_data) ? str(error.error_data.details) : undefined;
  return `${[str(error.title) ?? str(error.message), details].filter(Boolean).join(': ')} (${str(error.code) ?? 'no code'})`;
}

function statusItem(account: string, status: Json, receivedAt: Date): WebhookItem {
  const id = str(status.id);
  const kind = str(status.status);
  const customer = str(status.recipient_id) ?? str(status.recipient_user_id);
  if (!id || !customer || !kind) return { kind: 'unusable', reason: 'WhatsApp status without id, status or recipient_id', raw: status, sourceId: `whatsapp/${account}/status` };
  if (!['sent', 'delivered', 'read', 'failed'].includes(kind)) return { kind: 'skipped', reason: `WhatsApp status "${kind}"` };
  const reason = errorReason(status);
  const receipt: Receipt = {
    channel: 'whatsapp',
    account,
    customer,
    status: kind as Receipt['status'],
    ids: [id],
    at: toIso(Number(status.timestamp) || undefined, receivedAt),
    ...(reason ? { reason } : {}),
  };
  return { kind: 'receipt', receipt };
}

/** Every message and status of one WhatsApp Business Account entry, across all its changes. */
export function readWhatsAppEntry(entry: Json, receivedAt: Date): WebhookItem[] {
  return objects(entry.changes).flatMap((change): WebhookItem[] => {
    if (change.field !== 'messages') return [{ kind: 'skipped', reason: `WhatsApp change of field "${String(change.field)}"` }];
    const value = isObject(change.value) ? change.value : {};
    const account = isObject(value.metadata) ? str(value.metadata.phone_number_id) : undefined;
    if (!account) return [{ kind: 'unusable', reason: 'WhatsApp change without metadata.phone_number_id', raw: change, sourceId: `whatsapp/${sourceOf(change)}` }];
    const names = new Map<string, string>();
    for (const contact of objects(value.contacts)) {
      const waId = str(contact.wa_id) ?? str(contact.user_id);
      const name = isObject(contact.profile) ? str(contact.profile.name) : undefined;
      if (waId && name) names.set(waId, name);
    }
    return [
      ...objects(value.messages).map((message) => messageItem(account, names, message, receivedAt)),
      ...objects(value.statuses).map((status) => statusItem(account, status, receivedAt)),
      ...objects(value.errors).map((error): WebhookItem => ({ kind: 'unusable', reason: `WhatsApp reported an error: ${str(error.title) ?? str(error.message) ?? 'unknown'} (${str(error.code) ?? 'no code'})`, raw: error, sourceId: `whatsapp/${account}/error` })),
    ];
  });
}

function sourceOf(value: unknown): string {
  return createHash('sha256').update(JSON.stringify(value)).digest('hex').slice(0, 16);
}
