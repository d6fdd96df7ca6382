import { messageId, type Attachment, type InboundMessageInput } from '@switchboard/schema';

/** What the bot knows of one received message, read off Wechaty's objects by `bot.ts`. */
export interface BotMessageFacts {
  /** The puppet's message id. */
  id: string;
  /** WeChat id of our logged-in bot account (the `account`). */
  botId: string;
  /** Wechaty's message type name (`types.Message[type]`: Text, Image, Attachment, ...). */
  wechatyType: string;
  text: string;
  talker: { id: string; name?: string };
  room?: { id: string; topic?: string };
  sentAt: Date;
  attachments: Attachment[];
  /** Type-specific extras: the link of a Url message, the mini program's title, a location. */
  details?: Record<string, unknown>;
}

/** Wechaty's type names as Switchboard's `meta.messageType` words. */
const MESSAGE_TYPES: Record<string, string> = {
  Text: 'text',
  Image: 'image',
  Attachment: 'file',
  Audio: 'voice',
  Video: 'video',
  Url: 'url',
  MiniProgram: 'mini-program',
  Emoticon: 'emoticon',
  Location: 'location',
  Contact: 'contact-card',
  ChatHistory: 'chat-history',
  Transfer: 'transfer',
  RedEnvelope: 'red-envelope',
  Recalled: 'recalled',
  GroupNote: 'group-note',
  Post: 'post',
};

export function messageTypeWord(wechatyType: string): string {
  return MESSAGE_TYPES[wechatyType] ?? wechatyType.toLowerCase();
}

export function roomConversationKey(roomId: string): string {
  return `room:${roomId}`;
}

export function contactConversationKey(contactId: string): string {
  return `contact:${contactId}`;
}

/** `room:<id>` or `contact:<id>`; undefined for any other key. */
export function parseBotConversationKey(key: string): { kind: 'room' | 'contact'; id: string } | undefined {
  const match = /^(room|contact):(.+)$/.exec(key);
  return match ? { kind: match[1] as 'room' | 'contact', id: match[2]! } : undefined;
}

/** A message to the bot as an envelope: a room is the conversation, else the 1:1 chat with the talker. */
export function normalizeBotMessage(facts: BotMessageFacts, receivedAt = new Date()): InboundMessageInput {
  const meta: Record<string, unknown> = { source: 'wechaty', messageType: messageTypeWord(facts.wechatyType), wechatyType: facts.wechatyType };
  if (facts.room) meta.room = { id: facts.room.id, ...(facts.room.topic ? { topic: facts.room.topic } : {}) };
  if (facts.details) Object.assign(meta, facts.details);
  return {
    schemaVersion: 1,
    id: messageId('wechat', facts.botId, facts.id),
    channel: 'wechat',
    account: facts.botId,
    externalId: facts.id,
    conversationKey: facts.room ? roomConversationKey(facts.room.id) : contactConversationKey(facts.talker.id),
    sender: { id: facts.talker.id, ...(facts.talker.name ? { name: facts.talker.name } : {}) },
    text: facts.text,
    attachments: facts.attachments,
    sentAt: facts.sentAt.toISOString(),
    receivedAt: receivedAt.toISOString(),
    meta,
  };
}
