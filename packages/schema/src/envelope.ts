import { z } from 'zod';

export const SCHEMA_VERSION = 1 as const;

/**
 * A channel id: lower case, registered by the connector that serves it (its channel descriptor). The set
 * is open: a reader that meets an id it does not know treats it as `other` instead of refusing the record.
 */
export const CHANNEL_ID = /^[a-z][a-z0-9_-]{0,31}$/;
export const OTHER_CHANNEL = 'other';
export const Channel = z
  .string()
  .regex(CHANNEL_ID)
  .describe("Where the customer wrote: the id of a registered channel (the README's channel table lists them). Readers treat an id they do not know as `other`.");
export type Channel = z.infer<typeof Channel>;

/** The default taxonomy's categories; a team's taxonomy may define others. */
export const CATEGORIES = ['transaction', 'security', 'refund', 'fees_fx', 'account', 'contact'] as const;
export const Category = z
  .string()
  .regex(/^[a-z][a-z0-9_]*$/)
  .describe(`Which team sees the message first: a category id of the team's taxonomy (the default taxonomy has ${CATEGORIES.join(', ')}).`);
export type Category = z.infer<typeof Category>;

export const PRIORITIES = ['urgent', 'high', 'normal', 'low'] as const;
export const Priority = z.enum(PRIORITIES);
export type Priority = z.infer<typeof Priority>;

export const LANGUAGES = ['zh-Hans', 'zh-Hant', 'en', 'other'] as const;
export const Language = z.enum(LANGUAGES);
export type Language = z.infer<typeof Language>;

const isoDateTime = z.iso.datetime({ offset: true });
const nonEmpty = z.string().min(1);

export const SenderFlag = z
  .object({
    code: z
      .string()
      .regex(/^[a-z][a-z0-9-]{0,63}$/)
      .describe('What was found, as a stable lower-case code (e.g. `encoded-word-in-address`, `unparseable-address`).'),
    reason: z.string().min(1).max(1000).describe('The finding in a sentence, for the agent.'),
  })
  .describe("Something a connector found about a sender's identity or address, with the reason.");
export type SenderFlag = z.infer<typeof SenderFlag>;

export const Sender = z
  .object({
    id: nonEmpty.describe("The channel's own id of the customer (email address, Twitter user id, WeChat id, ...)."),
    name: z.string().optional().describe('Display name, when the channel gives one.'),
    address: z.string().optional().describe('Email address, @handle or other human-readable address.'),
    phone: z
      .string()
      .regex(/^\+[1-9]\d{1,14}$/)
      .optional()
      .describe('The phone number in E.164, when the channel knows it (WhatsApp, the hotline): how one customer is recognised across channels.'),
    suspect: SenderFlag.optional().describe(
      'The connector found this identity forged or unverifiable (e.g. an address made to look like another one): the sender is never merged with a contact of the same id, never acknowledged, and agents see the reason.',
    ),
    customerRef: z
      .string()
      .min(1)
      .max(200)
      .optional()
      .describe("The wallet's own reference of this customer, set only when the channel verified who is writing (a signed-in web chat whose identity the wallet's site signed). Never set from what the customer typed."),
    unusableAddress: SenderFlag.optional().describe(
      'The address is kept as the channel gave it, but a reply cannot go to it (it does not parse, or it would reach someone else): no acknowledgement, and the reply API refuses.',
    ),
  })
  .describe('Who wrote the message.');
export type Sender = z.infer<typeof Sender>;

export const Attachment = z
  .object({
    name: z.string().describe('File name as the customer sent it.'),
    contentType: z.string().describe('MIME type.'),
    size: z.number().int().nonnegative().describe('Size in bytes.'),
    sha256: z.string().regex(/^[0-9a-f]{64}$/).optional().describe('Hex SHA-256 of the bytes, when the connector had them.'),
    inline: z.boolean().optional().describe('Shown inside the message body (an inline image) rather than attached.'),
    contentId: z.string().optional().describe('MIME Content-ID of an inline part.'),
    storageRef: z.string().optional().describe("Where the connector kept the bytes (never the bytes themselves)."),
    url: z.string().optional().describe('Where the channel serves the file, when it does.'),
  })
  .describe('Metadata of a file; the bytes never travel on a topic.');
export type Attachment = z.infer<typeof Attachment>;

export const Edit = z
  .object({
    kind: z.enum(['edited', 'deleted']),
    targetId: nonEmpty.describe('The `id` of the message this edit applies to.'),
  })
  .describe(
    "Set when this record changes an earlier message instead of adding one (Slack edits and deletions, a call's voicemail transcript): an `edited` record carries the message's new text, and its subject, attachments and call when it has them.",
  );
export type Edit = z.infer<typeof Edit>;

export const Thread = z
  .object({
    ancestors: z
      .array(nonEmpty)
      .max(200)
      .optional()
      .describe("The channel's ids of the messages this one answers, oldest first; a reply to this message continues the chain."),
    namedTicket: z
      .string()
      .regex(/^[A-Z]{1,10}-\d{1,12}$/)
      .optional()
      .describe('A ticket number the message names (kept by a client that dropped other threading): it joins that ticket when the ticket is on the same channel and account.'),
  })
  .describe('How the message threads beyond its conversationKey, as its connector read it.');
export type Thread = z.infer<typeof Thread>;

export const SpamVerdict = z
  .object({
    reason: z.string().min(1).max(1000).describe('Who judged it and how (e.g. `X-Spam-Flag: YES`, a filter and its score).'),
    score: z.number().optional().describe("The filter's score, when it gives one."),
  })
  .describe("A spam filter's verdict on a message.");
export type SpamVerdict = z.infer<typeof SpamVerdict>;
export const CALL_OUTCOMES = ['answered', 'voicemail', 'missed', 'abandoned', 'rejected', 'failed', 'forwarded', 'unanswered'] as const;
export const CallOutcome = z
  .enum(CALL_OUTCOMES)
  .describe(
    'How the call ended: `answered` by a person, `voicemail` left, `missed` (rang out unanswered), `abandoned` (the caller hung up first), `rejected` (busy, declined), `failed` (never connected), `forwarded` elsewhere, `unanswered` (our outbound call was not picked up).',
  );
export type CallOutcome = z.infer<typeof CallOutcome>;

export const Call = z
  .object({
    direction: z.enum(['inbound', 'outbound']).describe('`inbound`: the customer called us.'),
    outcome: CallOutcome,
    startedAt: isoDateTime.optional().describe('When the call began (rang).'),
    answeredAt: isoDateTime.optional(),
    endedAt: isoDateTime.optional(),
    durationSeconds: z.number().int().nonnegative().optional().describe('Length of the conversation (or of the voicemail) in seconds.'),
    agent: z.string().optional().describe('Who answered, or placed the outbound call: an extension, a user name or a number.'),
    line: z.string().optional().describe('Our number (or queue) the customer called, or called from.'),
  })
  .describe('Set when the message records a voice call: the console shows it as a call, with its direction, duration and who answered.');
export type Call = z.infer<typeof Call>;
export const ChannelEvent = z
  .object({
    type: nonEmpty.describe("The channel's own name of what happened (subscribe, SCAN, CLICK, LOCATION, enter_session, msg_send_fail, ...)."),
    fields: z
      .record(z.string(), z.unknown())
      .default({})
      .describe("Everything the channel said about it, under the channel's own names (coordinates and their precision, a QR ticket, a menu key, an entry scene)."),
    opensTicket: z
      .boolean()
      .optional()
      .describe('True when the event asks for a person (a menu item configured as "talk to an agent"): it is placed on a ticket as a message is. Otherwise an event is kept on its conversation and never opens, joins or reopens a ticket.'),
  })
  .describe('Something the customer did, or the channel reported, rather than a message they wrote: kept on the conversation and shown in its thread, not a ticket. `sender` is the customer it concerns; `text` is empty or a readable line.');
export type ChannelEvent = z.infer<typeof ChannelEvent>;

export const InboundMessage = z
  .object({
    schemaVersion: z.literal(SCHEMA_VERSION),
    id: z
      .string()
      .regex(/^msg_[0-9a-f]{32}$/)
      .describe('Deterministic from channel, account and externalId: the idempotency key.'),
    channel: Channel,
    account: nonEmpty.describe('Which of our inboxes, handles or apps received it.'),
    externalId: nonEmpty.describe("The channel's own id (Message-ID, tweet id, MsgId, channel+ts, client id)."),
    conversationKey: nonEmpty.describe("The channel's own thread; the Kafka key, so a conversation stays in order."),
    sender: Sender,
    subject: z.string().optional(),
    text: z.string().max(100_000).describe('Plain text: HTML converted, quoted history and signatures removed.'),
    attachments: z.array(Attachment).default([]),
    sentAt: isoDateTime.describe('When the customer sent it, by the channel.'),
    receivedAt: isoDateTime.describe('When the connector received it.'),
    autoSubmitted: z
      .string()
      .optional()
      .describe('Set (to the reason) for automatic mail: auto-replies, bounces, loops. Never acknowledged.'),
    spam: SpamVerdict.optional().describe('Set when a spam filter the channel trusts judged the message spam: never acknowledged; its ticket is marked spam, which agents filter by.'),
    edit: Edit.optional(),
    thread: Thread.optional(),
    call: Call.optional(),
    event: ChannelEvent.optional(),
    meta: z.record(z.string(), z.unknown()).default({}).describe('Channel extras (threading reason, message type, ...).'),
  })
  .describe('cs.messages.inbound.v1: one customer message, normalized by its connector.');
export type InboundMessage = z.infer<typeof InboundMessage>;
/** What a connector builds: defaults may be left out. */
export type InboundMessageInput = z.input<typeof InboundMessage>;

export const Redaction = z.object({
  kind: z.enum(['card_number', 'one_time_code', 'password']),
  count: z.number().int().positive(),
});
export type Redaction = z.infer<typeof Redaction>;

export const MoneyAmount = z
  .object({
    value: z.string().regex(/^\d{1,15}(\.\d{1,4})?$/).describe('The amount as a decimal string (no float rounding), e.g. `38.50`.'),
    currency: z
      .string()
      .regex(/^[A-Z]{3}$/)
      .optional()
      .describe('ISO 4217, when the text says it (`¥` and `元` read as CNY, `HK$` as HKD, `$` alone as USD); absent when it does not.'),
    text: z.string().min(1).max(100).describe('The words it was read from, as written.'),
  })
  .describe('An amount of money the customer wrote.');
export type MoneyAmount = z.infer<typeof MoneyAmount>;

export const REFERENCE_KINDS = ['transaction', 'order', 'refund'] as const;
export const Entities = z
  .object({
    amounts: z.array(MoneyAmount).max(20).default([]),
    references: z
      .array(
        z.object({
          kind: z.enum(REFERENCE_KINDS),
          value: z.string().min(1).max(100).describe('The id as written (the router\'s configured patterns decide what counts).'),
        }),
      )
      .max(20)
      .default([])
      .describe('Transaction, order and refund ids the customer named.'),
    times: z
      .array(
        z.object({
          text: z.string().min(1).max(100).describe('The words, as written (`yesterday at 3pm`, `昨天下午三点`).'),
          at: isoDateTime.optional().describe("The moment they name, read against the message's sentAt in the router's time zone; absent when only a day is named."),
          date: z.string().regex(/^\d{4}-\d{2}-\d{2}$/).describe('The calendar day they name.'),
        }),
      )
      .max(20)
      .default([])
      .describe('Dates and times the customer named.'),
    cardLast4: z.array(z.string().regex(/^\d{4}$/)).max(20).default([]).describe('Last four digits of the cards the customer named (what masking keeps).'),
    counterparties: z.array(z.string().min(1).max(200)).max(20).default([]).describe('Who the money went to or came from, when the text names them (a merchant, a person).'),
  })
  .describe('What the router read in the text that a wallet agent looks up: amounts, ids, times, cards, counterparties.');
export type Entities = z.infer<typeof Entities>;

export const RoutedMessage = InboundMessage.extend({
  category: Category,
  confidence: z.number().min(0).max(1).describe("The classifier's probability of `category`."),
  triage: z.boolean().describe('True when confidence is under the threshold: a person should check the category.'),
  priority: Priority,
  language: Language,
  redactions: z.array(Redaction).describe('What was masked in `text` and `subject` before this topic.'),
  classifierVersion: nonEmpty,
  entities: Entities.optional().describe('Set by every router since this field was added; absent on older records.'),
  explanation: z
    .object({
      priorityRules: z.array(z.string()).describe('Names of the priority rules that fired.'),
      features: z.array(z.string()).describe('The features that weighed most for the category.'),
    })
    .describe('Why the router decided as it did.'),
  routedAt: isoDateTime,
}).describe('cs.messages.routed.v1: an inbound message with its category, priority and language; sensitive data masked.');
export type RoutedMessage = z.infer<typeof RoutedMessage>;

export const OutboundMessage = z
  .object({
    schemaVersion: z.literal(SCHEMA_VERSION),
    id: nonEmpty.describe('Idempotency key of this reply: a connector sends an id once.'),
    kind: z.enum(['reply', 'ack']).describe('An agent reply, or the automatic acknowledgement.'),
    ticketId: nonEmpty,
    ticketNumber: nonEmpty.describe('Human-readable ticket reference, e.g. SB-000123.'),
    channel: Channel,
    account: nonEmpty.describe('Which of our inboxes/handles sends it.'),
    conversationKey: nonEmpty,
    recipient: Sender,
    public: z.boolean().default(false).describe('A public reply (a post on the channel) instead of a private message, where the channel has both.'),
    inReplyTo: z
      .object({
        messageId: nonEmpty.describe('Our `id` of the customer message answered.'),
        externalId: nonEmpty.describe("That message's channel id (Message-ID, tweet id, ts, ...)."),
        references: z.array(z.string()).default([]).describe("The answered message's thread ancestors (`thread.ancestors`), oldest first."),
      })
      .optional(),
    replyMode: z
      .string()
      .optional()
      .describe("How the channel's reply policy lets this message go out (e.g. `response`, `human_agent`, `template`); unset: the channel's ordinary way."),
    subject: z.string().optional(),
    text: nonEmpty,
    author: z
      .object({ id: nonEmpty, name: z.string().optional() })
      .optional()
      .describe('The person who wrote a reply (a user of the console or the API); unset for automatic messages.'),
    createdAt: isoDateTime,
    meta: z.record(z.string(), z.unknown()).default({}),
  })
  .describe('cs.messages.outbound.v1: something for a connector to send to a customer.');
export type OutboundMessage = z.infer<typeof OutboundMessage>;
export type OutboundMessageInput = z.input<typeof OutboundMessage>;

export const DeliveryReport = z
  .object({
    schemaVersion: z.literal(SCHEMA_VERSION),
    outboundId: nonEmpty
      .optional()
      .describe("Our id of the outbound message. Unset when the channel reported on what it sent by its own id alone (a bounce naming the Message-ID, a status callback naming the channel's message id): the store finds the outbound message by `externalId`."),
    ticketId: nonEmpty.optional().describe('The ticket of the outbound message; unset when `outboundId` is.'),
    channel: Channel,
    status: z
      .enum(['sent', 'failed', 'delivered', 'read'])
      .describe(
        "`sent`: the channel accepted it; `failed`: it never reached the customer; `delivered` and `read`: the channel's own receipts, reported later, for the channels that have them.",
      ),
    reason: z.string().optional().describe('Why it failed.'),
    externalId: z.string().optional().describe("The channel's id of what was sent (Message-ID, tweet id, ts)."),
    at: isoDateTime,
  })
  .refine((report) => report.outboundId !== undefined || (report.externalId ?? '') !== '', {
    message: 'a delivery report names the outbound message: `outboundId`, or the channel\'s `externalId`',
    path: ['outboundId'],
  })
  .describe('cs.messages.delivery.v1: the result of sending one outbound message, and what the channel later reported of it (receipts, a bounce).');
export type DeliveryReport = z.infer<typeof DeliveryReport>;

export const DeadLetter = z
  .object({
    schemaVersion: z.literal(SCHEMA_VERSION),
    id: nonEmpty.describe('Unique per dead letter: source topic, partition and offset (or connector and source id).'),
    stage: nonEmpty.describe('Who gave up: a consumer group or a connector.'),
    reason: nonEmpty.describe('Readable reason.'),
    errorName: z.string().optional(),
    sourceTopic: z.string().optional(),
    partition: z.number().int().optional(),
    offset: z.string().optional(),
    key: z.string().nullable().optional(),
    headers: z.record(z.string(), z.string()).default({}),
    originalValue: z.string().describe('The original bytes, base64.'),
    failedAt: isoDateTime,
  })
  .describe('cs.messages.dlq.v1: a record that could not be processed, kept whole so it can be replayed.');
export type DeadLetter = z.infer<typeof DeadLetter>;

export const Checkpoint = z
  .object({
    connector: nonEmpty,
    account: nonEmpty,
    stream: nonEmpty.describe('Which position of the account: a mailbox, mentions, dms, ...'),
    position: z.record(z.string(), z.unknown()),
    updatedAt: isoDateTime,
  })
  .describe('cs.connector.checkpoints.v1: the last position a connector has safely produced.');
export type Checkpoint = z.infer<typeof Checkpoint>;

/** What a reply to `answered` answers: that message and the thread it continues (for `OutboundMessage.inReplyTo`). */
export function inReplyToOf(answered: { id: string; externalId?: string | null; thread?: Thread }): NonNullable<OutboundMessage['inReplyTo']> {
  return { messageId: answered.id, externalId: answered.externalId ?? answered.id, references: answered.thread?.ancestors ?? [] };
}

/** `channel` when the reader knows it, else `other`: an unknown channel is shown and counted, never refused. */
export function knownChannelOr(channel: string, known: ReadonlySet<string>): string {
  return known.has(channel) ? channel : OTHER_CHANNEL;
}
