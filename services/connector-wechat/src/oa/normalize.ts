import { messageId, type Attachment, type ChannelEvent, type InboundMessageInput } from '@switchboard/schema';
import { toIso } from '@switchboard/connector-sdk';
import { PermanentError } from '@switchboard/runtime';

export class UnusableCallbackError extends PermanentError {
  override readonly name = 'UnusableCallbackError';
}

/** The conversation of one customer with one Official Account. */
export function oaConversationKey(appId: string, openId: string): string {
  return `oa:${appId}:${openId}`;
}

/** Reads `oa:<appid>:<openid>`; undefined for any other key. */
export function parseOaConversationKey(key: string): { appId: string; openId: string } | undefined {
  const match = /^oa:([^:]+):(.+)$/.exec(key);
  return match ? { appId: match[1]!, openId: match[2]! } : undefined;
}

/**
 * The callback's own id: MsgId for messages; events have none, so the sender, time and event name
 * stand in (WeChat documents FromUserName + CreateTime as the dedupe key of events).
 */
export function callbackExternalId(fields: Record<string, string>): string {
  if (fields.MsgId) return fields.MsgId;
  if (!fields.FromUserName || !fields.CreateTime) throw new UnusableCallbackError('callback has neither MsgId nor FromUserName and CreateTime');
  return `${fields.FromUserName}:${fields.CreateTime}:${fields.Event ?? fields.MsgType ?? ''}`;
}

const VOICE_TYPES: Record<string, string> = { amr: 'audio/amr', speex: 'audio/speex', mp3: 'audio/mpeg', silk: 'audio/silk' };

function mediaAttachment(fields: Record<string, string>, contentType: string, url?: string): Attachment[] {
  if (!fields.MediaId) return [];
  // Only the media id is known: the bytes stay with WeChat until someone fetches them by id.
  return [{ name: fields.MediaId, contentType, size: 0, ...(url ? { url } : {}) }];
}

function numberOrUndefined(value: string | undefined): number | undefined {
  if (value === undefined || value.trim() === '') return undefined;
  const n = Number(value);
  return Number.isFinite(n) ? n : undefined;
}

export interface OfficialAccountOptions {
  appId: string;
  /** EventKeys of menu items (CLICK) that mean "talk to an agent": such a click opens a ticket. */
  agentMenuKeys?: ReadonlySet<string>;
}

/** The envelope fields of every callback; what an event is about is in the rest. */
const ENVELOPE_FIELDS = new Set(['ToUserName', 'FromUserName', 'CreateTime', 'MsgType', 'Event']);
/** Documented as numbers: a location report's coordinates and their precision in metres. */
const NUMERIC_EVENT_FIELDS = new Set(['Latitude', 'Longitude', 'Precision']);

/**
 * An event push (subscribe, a QR scene's SCAN, CLICK, VIEW, the LOCATION WeChat reports on its own) with
 * every field it carried, under WeChat's names and casing (developers.weixin.qq.com/doc/offiaccount/
 * Message_Management/Receiving_event_pushes.html). A CLICK on a menu item configured as "talk to an
 * agent" asks for a person; anything else is kept on the conversation.
 */
export function officialAccountEvent(fields: Record<string, string>, agentMenuKeys: ReadonlySet<string> = new Set()): ChannelEvent {
  const type = fields.Event || 'unknown';
  const details: Record<string, string | number> = {};
  for (const [name, value] of Object.entries(fields)) {
    if (ENVELOPE_FIELDS.has(name)) continue;
    details[name] = NUMERIC_EVENT_FIELDS.has(name) ? (numberOrUndefined(value) ?? value) : value;
  }
  const asksForAgent = type === 'CLICK' && fields.EventKey !== undefined && agentMenuKeys.has(fields.EventKey);
  return { type, fields: details, ...(asksForAgent ? { opensTicket: true } : {}) };
}

/** One parsed Official Account callback as an envelope; unknown message types are kept with their type. */
export function normalizeOfficialAccountMessage(fields: Record<string, string>, options: OfficialAccountOptions, receivedAt = new Date()): InboundMessageInput {
  const { appId } = options;
  const openId = fields.FromUserName;
  if (!openId) throw new UnusableCallbackError('callback has no FromUserName');
  const messageType = (fields.MsgType ?? 'unknown').toLowerCase();
  const externalId = callbackExternalId(fields);
  const meta: Record<string, unknown> = { source: 'official-account', messageType, toUserName: fields.ToUserName };
  let text = '';
  let attachments: Attachment[] = [];
  let event: ChannelEvent | undefined;

  switch (messageType) {
    case 'text':
      text = fields.Content ?? '';
      break;
    case 'image':
      attachments = mediaAttachment(fields, 'image/jpeg', fields.PicUrl);
      meta.mediaId = fields.MediaId;
      break;
    case 'voice': {
      const format = (fields.Format ?? '').toLowerCase();
      attachments = mediaAttachment(fields, VOICE_TYPES[format] ?? 'application/octet-stream');
      meta.mediaId = fields.MediaId;
      meta.format = fields.Format;
      // Present when the account enabled speech recognition: the best text we have.
      if (fields.Recognition) (text = fields.Recognition), (meta.recognition = true);
      break;
    }
    case 'video':
    case 'shortvideo':
      attachments = mediaAttachment(fields, 'video/mp4');
      meta.mediaId = fields.MediaId;
      meta.thumbMediaId = fields.ThumbMediaId;
      break;
    case 'location':
      meta.location = {
        lat: numberOrUndefined(fields.Location_X),
        lng: numberOrUndefined(fields.Location_Y),
        scale: numberOrUndefined(fields.Scale),
        label: fields.Label,
      };
      text = fields.Label ?? '';
      break;
    case 'link':
      meta.link = { title: fields.Title, description: fields.Description, url: fields.Url };
      text = [fields.Title, fields.Description, fields.Url].filter(Boolean).join('\n');
      break;
    case 'event':
      event = officialAccountEvent(fields, options.agentMenuKeys);
      break;
    default:
      meta.rawFields = fields;
  }
  if (fields.MsgDataId) meta.msgDataId = fields.MsgDataId;

  return {
    schemaVersion: 1,
    id: messageId('wechat', appId, externalId),
    channel: 'wechat',
    account: appId,
    externalId,
    conversationKey: oaConversationKey(appId, openId),
    sender: { id: openId },
    text,
    attachments,
    sentAt: toIso(numberOrUndefined(fields.CreateTime), receivedAt),
    receivedAt: receivedAt.toISOString(),
    ...(event ? { event } : {}),
    meta,
  };
}
