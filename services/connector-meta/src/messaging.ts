/**
 * Messenger and Instagram messaging events, each entry's `messaging[]` and `standby[]` (the handover
 * protocol's channel while another app owns the thread). Shapes as Meta documents them:
 * developers.facebook.com/documentation/business-messaging/messenger-platform/webhooks/webhook-events/
 * messages, message-echoes (`is_echo`: our own sends), message-deliveries (`mids`, `watermark`),
 * message-reads (`watermark`), messaging_postbacks, messaging_referrals, standby, message_edits;
 * Instagram: …/instagram-platform/webhooks/examples (`messaging_seen` as `read.mid`, `is_deleted`,
 * `story_mention`, `share`, `ig_reel` attachments).
 */
import { messageId, type Attachment, type InboundMessageInput } from '@switchboard/schema';
import { tidyText, toIso } from '@switchboard/connector-sdk';
import type { WebhookItem } from './events.ts';
import { isObject, objects, str, type Json } from './json.ts';
import { conversationKeyOf, type MetaChannel } from './outbound.ts';

const MEDIA_TYPES: Record<string, string> = { image: 'image/*', audio: 'audio/*', video: 'video/*', file: 'application/octet-stream' };

/** Attachments as metadata (Meta's CDN URLs expire; the bytes stay with Meta), and what their payloads say. */
function attachmentsOf(message: Json): { attachments: Attachment[]; notes: string[]; extras: Json[] } {
  const attachments: Attachment[] = [];
  const notes: string[] = [];
  const extras: Json[] = [];
  objects(message.attachments).forEach((attachment, i) => {
    const type = str(attachment.type) ?? 'unknown';
    const payload = isObject(attachment.payload) ? attachment.payload : {};
    const url = str(payload.url);
    const coordinates = isObject(payload.coordinates) ? payload.coordinates : undefined;
    if (coordinates) {
      extras.push({ type: 'location', lat: coordinates.lat, long: coordinates.long, title: attachment.title });
      notes.push(`Location: ${[str(attachment.title), `${String(coordinates.lat)}, ${String(coordinates.long)}`].filter(Boolean).join(' ')}`);
      return;
    }
    if (payload.sticker_id !== undefined) {
      extras.push({ type: 'sticker', stickerId: str(payload.sticker_id) });
      attachments.push({ name: `sticker-${str(payload.sticker_id)}`, contentType: 'image/*', size: 0, ...(url ? { url } : {}) });
      return;
    }
    if (type in MEDIA_TYPES) {
      attachments.push({ name: nameFromUrl(url) ?? `${type}-${i + 1}`, contentType: MEDIA_TYPES[type]!, size: 0, ...(url ? { url } : {}) });
      return;
    }
    // Shares, story mentions, reels, link fallbacks, templates: a link for the agent, the payload kept.
    extras.push({ type, ...payload, ...(attachment.title ? { title: attachment.title } : {}) });
    notes.push([`[${type.replace(/_/g, ' ')}]`, str(attachment.title), url].filter(Boolean).join(' '));
  });
  return { attachments, notes, extras };
}

function nameFromUrl(url: string | undefined): string | undefined {
  if (!url) return undefined;
  try {
    const last = new URL(url).pathname.split('/').pop();
    return last && /\.[a-z0-9]{2,5}$/i.test(last) ? decodeURIComponent(last) : undefined;
  } catch {
    return undefined;
  }
}

interface Context {
  channel: MetaChannel;
  account: string;
  customer: string;
  receivedAt: Date;
  sentAt: string;
  standby: boolean;
}

function envelope(c: Context, externalId: string, fields: Partial<InboundMessageInput> & { text: string; meta: Json }): InboundMessageInput {
  return {
    schemaVersion: 1,
    id: messageId(c.channel, c.account, externalId),
    channel: c.channel,
    account: c.account,
    externalId,
    conversationKey: conversationKeyOf(c.channel, c.account, c.customer),
    sender: { id: c.customer },
    sentAt: c.sentAt,
    receivedAt: c.receivedAt.toISOString(),
    ...fields,
    meta: { source: c.channel, ...(c.standby ? { standby: true } : {}), ...fields.meta },
  };
}

function messageItem(c: Context, message: Json): WebhookItem {
  const mid = str(message.mid);
  if (!mid) return { kind: 'unusable', reason: `${c.channel} message without mid`, raw: message, sourceId: `${c.channel}/${c.customer}/no-mid` };
  if (message.is_deleted === true) {
    // Instagram's unsend: the customer took the message back.
    return { kind: 'message', message: envelope(c, `${mid}:deleted`, { text: '', edit: { kind: 'deleted', targetId: messageId(c.channel, c.account, mid) }, meta: {} }) };
  }
  const { attachments, notes, extras } = attachmentsOf(message);
  const meta: Json = {};
  if (isObject(message.quick_reply) && message.quick_reply.payload !== undefined) meta.quickReply = str(message.quick_reply.payload);
  if (isObject(message.referral)) meta.referral = message.referral;
  if (extras.length > 0) meta.attachments = extras;
  const replyTo = isObject(message.reply_to) ? message.reply_to : undefined;
  if (replyTo && isObject(replyTo.story)) meta.replyToStory = replyTo.story;
  const ancestors = replyTo && str(replyTo.mid) ? { thread: { ancestors: [str(replyTo.mid)!] } } : {};
  const text = tidyText([str(message.text) ?? '', ...notes].filter(Boolean).join('\n'));
  return { kind: 'message', message: envelope(c, mid, { text, attachments, ...ancestors, meta }) };
}

function editItem(c: Context, edit: Json): WebhookItem {
  const mid = str(edit.mid);
  if (!mid) return { kind: 'unusable', reason: 'message_edit without mid', raw: edit, sourceId: `${c.channel}/${c.customer}/edit` };
  const externalId = `${mid}:edit:${str(edit.num_edit) ?? c.sentAt}`;
  return { kind: 'message', message: envelope(c, externalId, { text: tidyText(str(edit.text) ?? ''), edit: { kind: 'edited', targetId: messageId(c.channel, c.account, mid) }, meta: {} }) };
}

/**
 * A tapped button: its title is what the customer "said", its payload what it meant. A conversation
 * begun with "Get Started" is a postback, not a message (chatwoot/chatwoot#5316 lost those).
 */
function postbackItem(c: Context, postback: Json, timestamp: string): WebhookItem {
  const externalId = str(postback.mid) ?? `postback:${c.customer}:${timestamp}`;
  const meta: Json = { postback: { payload: str(postback.payload) } };
  if (isObject(postback.referral)) meta.referral = postback.referral;
  return { kind: 'message', message: envelope(c, externalId, { text: tidyText(str(postback.title) ?? ''), meta }) };
}

function receiptItem(c: Context, status: 'delivered' | 'read', body: Json, at: string): WebhookItem {
  const mids = Array.isArray(body.mids) ? body.mids.map(str).filter((m): m is string => Boolean(m)) : str(body.mid) ? [str(body.mid)!] : undefined;
  const watermark = typeof body.watermark === 'number' ? body.watermark : undefined;
  return { kind: 'receipt', receipt: { channel: c.channel, account: c.account, customer: c.customer, status, at, ...(mids?.length ? { ids: mids } : {}), ...(watermark !== undefined ? { watermark } : {}) } };
}

function readEvent(channel: MetaChannel, account: string, event: Json, receivedAt: Date, standby: boolean): WebhookItem {
  const sender = isObject(event.sender) ? str(event.sender.id) : undefined;
  if (!sender) return { kind: 'unusable', reason: `${channel} event without sender.id`, raw: event, sourceId: `${channel}/${account}/no-sender` };
  const timestamp = typeof event.timestamp === 'number' ? event.timestamp : undefined;
  const c: Context = { channel, account, customer: sender, receivedAt, sentAt: toIso(timestamp, receivedAt), standby };
  const message = isObject(event.message) ? event.message : undefined;
  if (message?.is_echo === true) return { kind: 'skipped', reason: 'echo of a message our page sent' };
  if (sender === account) return { kind: 'skipped', reason: 'an event of our own account' };
  if (message) return messageItem(c, message);
  if (isObject(event.message_edit)) return editItem(c, event.message_edit);
  if (isObject(event.postback)) return postbackItem(c, event.postback, String(timestamp ?? c.sentAt));
  if (isObject(event.delivery)) return receiptItem(c, 'delivered', event.delivery, c.sentAt);
  if (isObject(event.read)) return receiptItem(c, 'read', event.read, c.sentAt);
  if (isObject(event.referral)) return { kind: 'referral', note: { channel, account, customer: sender, referral: event.referral } };
  const kinds = Object.keys(event).filter((k) => !['sender', 'recipient', 'timestamp'].includes(k));
  return { kind: 'skipped', reason: `${channel} event of a kind not turned into messages: ${kinds.join(', ') || 'empty'}` };
}

/** Every event of one `entry` (a Page or an Instagram account), live and standby. */
export function readMessagingEntry(channel: MetaChannel, entry: Json, receivedAt: Date): WebhookItem[] {
  const account = str(entry.id);
  if (!account) return [{ kind: 'unusable', reason: `${channel} entry without id`, raw: entry, sourceId: `${channel}/entry-without-id` }];
  return [
    ...objects(entry.messaging).map((event) => readEvent(channel, account, event, receivedAt, false)),
    ...objects(entry.standby).map((event) => readEvent(channel, account, event, receivedAt, true)),
  ];
}
