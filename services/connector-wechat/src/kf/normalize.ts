import { createHash } from 'node:crypto';
import { messageId, type Attachment, type ChannelEvent, type InboundMessageInput } from '@switchboard/schema';
import { toIso } from '@switchboard/connector-sdk';
import { PermanentError } from '@switchboard/runtime';
import type { KfMessage } from './api.ts';

/**
 * sync_msg entries (developer.work.weixin.qq.com/document/path/94670) as envelopes: the customer's
 * messages (origin 3) are messages; system events (origin 4) and what a servicer sent from the WeCom
 * client (origin 5, which sync_msg returns while our own API sends it never does) are events of the
 * conversation; a recall by the customer deletes the recalled message.
 */

export class UnusableKfMessageError extends PermanentError {
  override readonly name = 'UnusableKfMessageError';
}

/** Our msgid of a send (≤ 32 of [0-9a-zA-Z_-]): the same outbound id always gets the same one, so a msg_send_fail event names it. */
export function kfMsgIdOf(outboundId: string): string {
  return createHash('sha256').update(outboundId).digest('hex').slice(0, 32);
}

/** Whether a msgid has the shape of ours; a servicer's or another app's failed send is not our reply to report. */
export function isOurKfMsgId(msgId: string): boolean {
  return /^[0-9a-f]{32}$/.test(msgId);
}

/** The conversation of one customer with one kf account of one corp. */
export function kfConversationKey(corpId: string, openKfId: string, externalUserId: string): string {
  return `kf:${corpId}:${openKfId}:${externalUserId}`;
}

/** Reads `kf:<corpid>:<open_kfid>:<external_userid>`; undefined for any other key. */
export function parseKfConversationKey(key: string): { corpId: string; openKfId: string; externalUserId: string } | undefined {
  const match = /^kf:([^:]+):([^:]+):(.+)$/.exec(key);
  return match ? { corpId: match[1]!, openKfId: match[2]!, externalUserId: match[3]! } : undefined;
}

/** A servicer's own events (no customer): kept on a conversation of that servicer, which no reply can address. */
export function servicerConversationKey(corpId: string, openKfId: string, servicerUserId: string): string {
  return `kf-servicer:${corpId}:${openKfId}:${servicerUserId}`;
}

export interface KfNormalizeContext {
  corpId: string;
  receivedAt: Date;
  /** The kept file of a media_id (fetched with media/get before normalizing). */
  media(mediaId: string): Attachment | undefined;
  /** Customers' nicknames, when kf/customer/batchget gave them. */
  nicknames: ReadonlyMap<string, string>;
}

const MEDIA_TYPES = new Set(['image', 'voice', 'video', 'file']);
const FALLBACK_CONTENT_TYPES: Record<string, string> = { image: 'image/jpeg', voice: 'audio/amr', video: 'video/mp4', file: 'application/octet-stream' };

/** msg_send_fail's fail_type (94670), for the agent reading the thread. */
const SEND_FAILURES: Record<number, string> = {
  0: 'unknown reason',
  1: 'the kf account was deleted',
  2: 'the app was disabled',
  4: 'the session expired (more than 48 hours)',
  5: 'the session was closed',
  6: 'more than 5 messages',
  7: 'no Channels account bound',
  8: 'the corp is not verified',
  9: 'no Channels account bound and the corp is not verified',
  10: 'the customer refused the message',
};

const failReason = (failType: unknown): string => SEND_FAILURES[Number(failType)] ?? `fail_type ${str(failType)}`;

function part(message: KfMessage, name: string): Record<string, unknown> {
  const value = message[name];
  return value && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
}

const str = (value: unknown): string => (typeof value === 'string' ? value : value === undefined || value === null ? '' : String(value));
const lines = (...values: unknown[]): string => values.map(str).filter(Boolean).join('\n');

/** The mediaId's attachment, or its metadata alone when the bytes could not be had. */
function mediaAttachment(message: KfMessage, context: KfNormalizeContext): Attachment[] {
  const mediaId = str(part(message, message.msgtype).media_id);
  if (!mediaId) return [];
  return [context.media(mediaId) ?? { name: mediaId, contentType: FALLBACK_CONTENT_TYPES[message.msgtype] ?? 'application/octet-stream', size: 0 }];
}

/** Text and meta of what a customer (or a servicer) sent, by msgtype; unknown types keep their whole body. */
function content(message: KfMessage, context: KfNormalizeContext): { text: string; attachments: Attachment[]; meta: Record<string, unknown> } {
  const type = message.msgtype;
  const body = part(message, type);
  if (MEDIA_TYPES.has(type)) return { text: '', attachments: mediaAttachment(message, context), meta: { mediaId: str(body.media_id) } };
  switch (type) {
    case 'text':
      return { text: str(body.content), attachments: [], meta: body.menu_id ? { menuId: str(body.menu_id) } : {} };
    case 'location':
      return { text: lines(body.name, body.address), attachments: [], meta: { location: { lat: Number(body.latitude), lng: Number(body.longitude), name: str(body.name), address: str(body.address) } } };
    case 'link':
      return { text: lines(body.title, body.desc, body.url), attachments: [], meta: { link: { title: str(body.title), description: str(body.desc), url: str(body.url), picUrl: str(body.pic_url) } } };
    case 'business_card':
      return { text: '', attachments: [], meta: { businessCard: { userId: str(body.userid) } } };
    case 'miniprogram':
      return { text: str(body.title), attachments: [], meta: { miniProgram: { appId: str(body.appid), title: str(body.title), pagePath: str(body.pagepath), thumbMediaId: str(body.thumb_media_id) } } };
    case 'channels_shop_product':
      return { text: lines(body.title, body.sales_price, body.shop_nickname), attachments: [], meta: { channelsShopProduct: body } };
    case 'channels_shop_order':
      return { text: lines(body.product_titles, body.price_wording, body.state, body.order_id), attachments: [], meta: { channelsShopOrder: body } };
    case 'channels':
      return { text: lines(body.nickname, body.title), attachments: [], meta: { channels: body } };
    case 'merged_msg': {
      const items = Array.isArray(body.item) ? (body.item as Record<string, unknown>[]) : [];
      return { text: lines(body.title, ...items.map((item) => `${str(item.sender_name)}: ${str(item.msg_content)}`)), attachments: [], meta: { mergedMessage: body } };
    }
    default:
      return { text: '', attachments: [], meta: { rawMessage: message } };
  }
}

/** A system event with every field it carried (and, for a failed send, why it failed in words). */
function systemEvent(message: KfMessage): ChannelEvent {
  const { event_type: type, open_kfid: _kf, external_userid: _user, ...fields } = part(message, 'event');
  const details: Record<string, unknown> = { ...fields };
  if (type === 'msg_send_fail') details.fail_reason = failReason(fields.fail_type);
  return { type: str(type) || 'unknown', fields: details };
}

/** Who the entry is about: the customer, or (for a servicer's own status) the servicer. */
function subjectOf(message: KfMessage, corpId: string): { conversationKey: string; senderId: string; openKfId: string } {
  const event = part(message, 'event');
  const openKfId = str(message.open_kfid) || str(event.open_kfid);
  const customer = str(message.external_userid) || str(event.external_userid);
  if (!openKfId) throw new UnusableKfMessageError(`kf message ${message.msgid} names no open_kfid`);
  if (customer) return { conversationKey: kfConversationKey(corpId, openKfId, customer), senderId: customer, openKfId };
  const servicer = str(event.servicer_userid) || str(message.servicer_userid);
  if (servicer) return { conversationKey: servicerConversationKey(corpId, openKfId, servicer), senderId: servicer, openKfId };
  throw new UnusableKfMessageError(`kf message ${message.msgid} names neither a customer nor a servicer`);
}

/** What a msg_send_fail event says of one of our replies: its msgid (the externalId of its `sent` report) and why. */
export interface KfSendFailure {
  externalId: string;
  reason: string;
  at: string;
}

/**
 * The failure of our send that a msg_send_fail event names, if it is one. `at` is the event's own time,
 * so the same event read again (a sync after a crash) gives the same report, which the store keeps once.
 */
export function kfSendFailure(message: KfMessage, receivedAt: Date): KfSendFailure | undefined {
  const event = part(message, 'event');
  if (message.msgtype !== 'event' || event.event_type !== 'msg_send_fail') return undefined;
  const msgId = str(event.fail_msgid);
  if (!isOurKfMsgId(msgId)) return undefined;
  const at = toIso(typeof message.send_time === 'number' ? message.send_time : undefined, receivedAt);
  return { externalId: msgId, reason: `WeCom could not deliver it: ${failReason(event.fail_type)} (msg_send_fail, fail_type ${str(event.fail_type)})`, at };
}

export function normalizeKfMessage(message: KfMessage, context: KfNormalizeContext): InboundMessageInput {
  if (!message.msgid || !message.msgtype) throw new UnusableKfMessageError('kf message without msgid or msgtype');
  const { corpId } = context;
  const subject = subjectOf(message, corpId);
  const name = context.nicknames.get(subject.senderId);
  const base = {
    schemaVersion: 1 as const,
    id: messageId('wechat', corpId, message.msgid),
    channel: 'wechat',
    account: corpId,
    externalId: message.msgid,
    conversationKey: subject.conversationKey,
    sender: { id: subject.senderId, ...(name ? { name } : {}) },
    attachments: [] as Attachment[],
    sentAt: toIso(typeof message.send_time === 'number' ? message.send_time : undefined, context.receivedAt),
    receivedAt: context.receivedAt.toISOString(),
  };
  const meta = { source: 'wecom-kf', messageType: message.msgtype, openKfId: subject.openKfId, origin: message.origin };
  if (message.msgtype === 'event') {
    const event = systemEvent(message);
    const recalled = event.type === 'user_recall_msg' ? str(event.fields.recall_msgid) : '';
    // The customer took a message back: it is marked deleted, as a chat deletion is.
    if (recalled) return { ...base, text: '', edit: { kind: 'deleted', targetId: messageId('wechat', corpId, recalled) }, event, meta };
    return { ...base, text: '', event, meta };
  }
  const sent = content(message, context);
  if (message.origin === 5) {
    // A servicer wrote from the WeCom client: the agent sees it in the thread; it is not the customer writing.
    const event: ChannelEvent = { type: 'servicer_message', fields: { servicer_userid: str(message.servicer_userid), msgtype: message.msgtype, ...sent.meta } };
    return { ...base, text: sent.text, attachments: sent.attachments, event, meta };
  }
  return { ...base, text: sent.text, attachments: sent.attachments, meta: { ...meta, ...sent.meta } };
}

/** The media_id of an entry whose file should be fetched (image, voice, video, file), if any. */
export function mediaIdOf(message: KfMessage): string | undefined {
  if (!MEDIA_TYPES.has(message.msgtype)) return undefined;
  return str(part(message, message.msgtype).media_id) || undefined;
}
