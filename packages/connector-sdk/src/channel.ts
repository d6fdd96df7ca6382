import { z } from 'zod';
import { CHANNEL_ID } from '@switchboard/schema';

/**
 * What a channel says about itself, so that nothing outside its connector's folder names it: the
 * console's label and icon, the README's channel table, the reply API's window check and the docs are
 * all derived from the descriptors of the discovered connector modules.
 */
export interface ChannelDescriptor {
  /** The envelope's `channel`: lower case, unique among the registered channels. */
  readonly id: string;
  readonly label: { readonly en: string; readonly zh: string };
  /** Drawn white on a rounded square of `color`, 24×24 units. */
  readonly icon: { readonly color: string; readonly path: string };
  /** One sentence for the channel table: what makes a conversation, how a reply threads. */
  readonly threading: string;
  /** Whether new tickets get the automatic acknowledgement unless SWITCHBOARD_ACK_CHANNELS says otherwise. */
  readonly acknowledgeByDefault?: boolean;
  /** The channel can answer in public (a post) as well as privately; agents choose per reply. */
  readonly publicReplies?: boolean;
  /** May a reply go out now, until when, and how. Unset: any time, the channel's ordinary way. */
  readonly replyPolicy?: ReplyPolicy;
  /**
   * What each `mode` of the policy's decisions means for the agent, in a sentence the console shows with
   * the reply window ("Outside 24 h: sent with Meta's human-agent tag"). A mode without one is not shown.
   */
  readonly replyModes?: Readonly<Record<string, { readonly en: string; readonly zh: string }>>;
}

/** What a reply policy reads: the conversation's history as the store has it. */
export interface ReplyHistory {
  /** When the customer last wrote (automatic mail left out); undefined when never. */
  lastCustomerMessageAt?: Date;
  /** Our messages sent on the conversation since then, oldest first. */
  sentSinceCustomer: readonly { at: Date; kind: 'reply' | 'ack' }[];
}

export interface ReplyRequest {
  kind: 'reply' | 'ack';
  now: Date;
  /** The conversation's account and key: a channel with several products (an account type, a DM and a post) tells them apart here. */
  account: string;
  conversationKey: string;
  history: ReplyHistory;
}

/**
 * Why a reply cannot go out, as codes the console words in the agent's language:
 * `window-closed` (too long since the customer wrote), `template-only` (only an approved template may be
 * sent now), `quota-exhausted` (the channel's message allowance after the customer's last message is used),
 * `not-for-automatic` (an automatic message may not use this mode), `no-customer-message`,
 * `no-reply-address` (the customer's address is kept as written but no reply can reach it), `receive-only`
 * (the channel carries nothing back: agents follow up another way, e.g. with a task on the ticket).
 */
export type ReplyRefusal = 'window-closed' | 'template-only' | 'quota-exhausted' | 'not-for-automatic' | 'no-customer-message' | 'no-reply-address' | 'receive-only';

export type ReplyDecision =
  | {
      allowed: true;
      /** `OutboundMessage.replyMode`: how it goes out when the channel has several ways. */
      mode?: string;
      /** When this possibility ends (ISO time). */
      closesAt?: string;
      /** Messages that may still be sent before the customer writes again, when the channel counts them. */
      remaining?: number;
    }
  | { allowed: false; code: ReplyRefusal; reason: string };

export interface ReplyPolicy {
  /** The rule in a sentence, for the channel table: "48 h after the customer's last message, 5 messages". */
  readonly summary: string;
  decide(request: ReplyRequest): ReplyDecision;
}

export const ANY_TIME: ReplyDecision = { allowed: true };

/** The policy of a channel that only receives (a hotline's calls): every reply and acknowledgement is refused with `reason`. */
export function receiveOnly(reason: string): ReplyPolicy {
  return { summary: 'never: the channel only receives', decide: () => ({ allowed: false, code: 'receive-only', reason }) };
}

/** A descriptor's shape, checked at discovery so a typo in a new connector fails the start, not the console. */
export const ChannelDescriptorShape = z.object({
  id: z.string().regex(CHANNEL_ID, 'a lower-case channel id (letters, digits, - and _, starting with a letter)'),
  label: z.object({ en: z.string().min(1), zh: z.string().min(1) }),
  icon: z.object({ color: z.string().regex(/^#[0-9a-fA-F]{6}$/, 'a #rrggbb colour'), path: z.string().min(1) }),
  threading: z.string().min(1),
  acknowledgeByDefault: z.boolean().optional(),
  publicReplies: z.boolean().optional(),
  replyPolicy: z.object({ summary: z.string().min(1), decide: z.custom<ReplyPolicy['decide']>((v) => typeof v === 'function', 'a function') }).optional(),
  replyModes: z.record(z.string(), z.object({ en: z.string().min(1), zh: z.string().min(1) })).optional(),
});

/** The decision of `descriptor`'s policy, or ANY_TIME when the channel sets none. */
export function decideReply(descriptor: ChannelDescriptor | undefined, request: ReplyRequest): ReplyDecision {
  return descriptor?.replyPolicy ? descriptor.replyPolicy.decide(request) : ANY_TIME;
}

/**
 * A policy of the common shape "free for `hours` after the customer's last message", optionally with a
 * count of messages allowed in that time (WeChat's customer-service messages).
 */
export function replyWindow(options: WindowOptions): ReplyPolicy {
  const summary = `${options.hours} h after the customer's last message${options.maxMessages !== undefined ? `, at most ${options.maxMessages} messages` : ''}`;
  return { summary, decide: ({ now, history }) => decideWindow(options, now, history) };
}

interface WindowOptions {
  hours: number;
  maxMessages?: number;
  mode?: string;
}

function decideWindow(options: WindowOptions, now: Date, history: ReplyHistory): ReplyDecision {
  const last = history.lastCustomerMessageAt;
  if (!last) return { allowed: false, code: 'no-customer-message', reason: 'the customer has not written on this conversation' };
  const closesAt = new Date(last.getTime() + options.hours * 3_600_000);
  if (now >= closesAt) {
    return { allowed: false, code: 'window-closed', reason: `more than ${options.hours} h since the customer's last message; they must write first` };
  }
  const open = { allowed: true as const, closesAt: closesAt.toISOString(), ...(options.mode ? { mode: options.mode } : {}) };
  if (options.maxMessages === undefined) return open;
  const remaining = options.maxMessages - history.sentSinceCustomer.length;
  if (remaining <= 0) {
    return { allowed: false, code: 'quota-exhausted', reason: `${options.maxMessages} messages already sent since the customer's last message; they must write first` };
  }
  return { ...open, remaining };
}
