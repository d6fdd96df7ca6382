/**
 * Slack Events API payloads in, envelopes out. Pure: no Bolt, no network; most Slack tests live here.
 */
import { z } from 'zod';
import { messageId, type Attachment, type InboundMessageInput } from '@switchboard/schema';
import { tidyText, toIso } from '@switchboard/connector-sdk';
import { PermanentError } from '@switchboard/runtime';

const SlackFile = z.looseObject({
  id: z.string(),
  name: z.string().optional(),
  title: z.string().optional(),
  mimetype: z.string().optional(),
  size: z.number().optional(),
  url_private: z.string().optional(),
});

const SlackMessage = z.looseObject({
  type: z.string().optional(),
  subtype: z.string().optional(),
  user: z.string().optional(),
  bot_id: z.string().optional(),
  text: z.string().optional(),
  ts: z.string(),
  thread_ts: z.string().optional(),
  edited: z.object({ user: z.string().optional(), ts: z.string() }).optional(),
  files: z.array(SlackFile).optional(),
  user_profile: z.looseObject({ real_name: z.string().optional(), display_name: z.string().optional() }).optional(),
});

/** A changed message (`message`, `previous_message`): some payloads leave out the ts of one of them. */
const ChangedMessage = SlackMessage.extend({ ts: z.string().optional() });
/** Any message payload, its ts perhaps missing: what the helpers below read. */
type AnyMessage = z.infer<typeof ChangedMessage>;

const MessageEvent = SlackMessage.extend({
  type: z.literal('message'),
  channel: z.string(),
  channel_type: z.string().optional(),
  event_ts: z.string().optional(),
  message: ChangedMessage.optional(),
  previous_message: ChangedMessage.optional(),
  deleted_ts: z.string().optional(),
});

export const EventCallback = z.looseObject({
  type: z.literal('event_callback'),
  team_id: z.string(),
  event_id: z.string(),
  event_time: z.number().optional(),
  event: z.looseObject({ type: z.string() }),
});
export type EventCallback = z.infer<typeof EventCallback>;

/** Who we are, so our own messages are never taken for a customer's. */
export interface SlackIdentity {
  botUserId?: string;
  botId?: string;
}

export type SlackDecision = { kind: 'message'; envelope: InboundMessageInput } | { kind: 'ignored'; reason: string };

/** Subtypes that are a person writing; the rest (joins, topic changes, …) are channel noise. */
const PERSON_SUBTYPES = new Set([undefined, 'file_share', 'thread_broadcast', 'me_message']);

export class SlackPayloadError extends PermanentError {
  override readonly name = 'SlackPayloadError';
}

export function slackExternalId(channel: string, ts: string): string {
  return `${channel}:${ts}`;
}

export function slackConversationKey(team: string, channel: string, threadTs: string): string {
  return `slack:${team}:${channel}:${threadTs}`;
}

export function parseSlackConversationKey(key: string): { team: string; channel: string; threadTs: string } {
  const match = /^slack:([^:]+):([^:]+):(\d+\.\d+)$/.exec(key);
  if (!match) throw new SlackPayloadError(`not a Slack conversation key: ${key}`);
  return { team: match[1]!, channel: match[2]!, threadTs: match[3]! };
}

/** Slack's mrkdwn to plain text: mentions, channel links and URLs made readable, entities decoded. */
export function slackText(mrkdwn: string): string {
  const readable = mrkdwn.replace(/<([^<>]+)>/g, (_, inner: string) => {
    const [target, label] = inner.split('|', 2) as [string, string | undefined];
    if (target.startsWith('@')) return label ? `@${label}` : target;
    if (target.startsWith('#')) return label ? `#${label}` : target;
    if (target.startsWith('!')) return `@${(label ?? target.slice(1)).split('^')[0]}`;
    return label && label !== target ? `${label} (${target})` : target;
  });
  return tidyText(readable.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&'));
}

/** Text Slack shows literally: &, < and > are its control characters. */
export function escapeSlackText(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

function attachmentsOf(message: AnyMessage): Attachment[] {
  return (message.files ?? []).map((file) => ({
    name: file.name ?? file.title ?? file.id,
    contentType: file.mimetype ?? 'application/octet-stream',
    size: file.size ?? 0,
    ...(file.url_private ? { url: file.url_private } : {}),
  }));
}

function isOurs(message: AnyMessage, identity: SlackIdentity): string | undefined {
  if (message.bot_id || message.subtype === 'bot_message') return 'bot message';
  if (identity.botUserId && message.user === identity.botUserId) return 'our own message';
  return undefined;
}

function senderOf(message: AnyMessage): InboundMessageInput['sender'] {
  const name = message.user_profile?.display_name || message.user_profile?.real_name;
  return { id: message.user!, ...(name ? { name } : {}) };
}

/**
 * Decides what one Events API callback means for us: a customer message (new, edited or deleted)
 * or something to ignore (bots, ourselves, channel noise, other event types).
 */
export function normalizeSlackEvent(payload: unknown, identity: SlackIdentity, receivedAt = new Date()): SlackDecision {
  const callback = EventCallback.safeParse(payload);
  if (!callback.success) throw new SlackPayloadError(`not an event_callback: ${callback.error.issues[0]?.message ?? 'invalid'}`);
  const { team_id: team, event_id: eventId } = callback.data;
  if (callback.data.event.type !== 'message') return { kind: 'ignored', reason: `event type ${callback.data.event.type}` };
  const parsed = MessageEvent.safeParse(callback.data.event);
  if (!parsed.success) throw new SlackPayloadError(`malformed message event: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  const event = parsed.data;
  const channel = event.channel;
  const base = { schemaVersion: 1 as const, channel: 'slack' as const, account: team, receivedAt: receivedAt.toISOString() };
  const meta = (extra: Record<string, unknown>) => ({ team, channel, channelType: event.channel_type, eventId, ...extra });

  if (event.subtype === 'message_changed') {
    const message = event.message;
    if (!message) throw new SlackPayloadError('message_changed without message');
    const previous = event.previous_message;
    const ours = isOurs(message, identity) ?? (previous ? isOurs(previous, identity) : undefined);
    if (ours) return { kind: 'ignored', reason: ours };
    // Unfurls and reply-count updates also arrive as message_changed, without `edited`: not an edit.
    if (!message.edited) return { kind: 'ignored', reason: 'message_changed without an edit' };
    // The edited message is the original one: its ts, author and thread, from `previous_message` when `message` leaves them out.
    const ts = message.ts ?? previous?.ts;
    if (!ts) throw new SlackPayloadError('message_changed without message.ts or previous_message.ts');
    const user = message.user ?? previous?.user;
    if (!user) throw new SlackPayloadError('edited message without user');
    const threadTs = message.thread_ts ?? previous?.thread_ts;
    const editedTs = message.edited.ts;
    const externalId = `${slackExternalId(channel, ts)}:edit:${editedTs}`;
    return {
      kind: 'message',
      envelope: {
        ...base,
        id: messageId('slack', team, externalId),
        externalId,
        conversationKey: slackConversationKey(team, channel, threadTs ?? ts),
        sender: senderOf({ ...message, user }),
        text: slackText(message.text ?? ''),
        attachments: attachmentsOf(message),
        sentAt: toIso(Number(editedTs)),
        edit: { kind: 'edited', targetId: messageId('slack', team, slackExternalId(channel, ts)) },
        meta: meta({ ts, threadTs, subtype: event.subtype }),
      },
    };
  }

  if (event.subtype === 'message_deleted') {
    const previous = event.previous_message;
    const deletedTs = event.deleted_ts ?? previous?.ts;
    if (!deletedTs) throw new SlackPayloadError('message_deleted without deleted_ts');
    if (previous) {
      const ours = isOurs(previous, identity);
      if (ours) return { kind: 'ignored', reason: ours };
    }
    const externalId = `${slackExternalId(channel, deletedTs)}:deleted`;
    return {
      kind: 'message',
      envelope: {
        ...base,
        id: messageId('slack', team, externalId),
        externalId,
        conversationKey: slackConversationKey(team, channel, previous?.thread_ts ?? deletedTs),
        sender: previous?.user ? senderOf(previous) : { id: 'unknown' },
        text: '',
        sentAt: toIso(Number(event.event_ts ?? event.ts)),
        edit: { kind: 'deleted', targetId: messageId('slack', team, slackExternalId(channel, deletedTs)) },
        meta: meta({ ts: deletedTs, threadTs: previous?.thread_ts, subtype: event.subtype }),
      },
    };
  }

  const ours = isOurs(event, identity);
  if (ours) return { kind: 'ignored', reason: ours };
  if (!PERSON_SUBTYPES.has(event.subtype)) return { kind: 'ignored', reason: `subtype ${event.subtype}` };
  if (!event.user) throw new SlackPayloadError('message without user');
  const externalId = slackExternalId(channel, event.ts);
  return {
    kind: 'message',
    envelope: {
      ...base,
      id: messageId('slack', team, externalId),
      externalId,
      // A top-level message starts its own thread: our replies go under it.
      conversationKey: slackConversationKey(team, channel, event.thread_ts ?? event.ts),
      sender: senderOf(event),
      text: slackText(event.text ?? ''),
      attachments: attachmentsOf(event),
      sentAt: toIso(Number(event.ts)),
      meta: meta({ ts: event.ts, threadTs: event.thread_ts, ...(event.subtype ? { subtype: event.subtype } : {}) }),
    },
  };
}
