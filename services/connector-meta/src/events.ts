/**
 * What one webhook POST means, as plain data: Meta batches many updates into one delivery (several
 * `entry[]`, each with several `messaging[]`, `standby[]` or `changes[]`), and every one of them is read;
 * readers that take only the first lose the rest (netflie/whatsapp-cloud-api#132, and the first-entry
 * handling of Chatwoot's Meta channels that issue 23 names).
 * Webhook object types as documented: `page` (Messenger), `instagram`, `whatsapp_business_account`
 * (developers.facebook.com/docs/graph-api/webhooks/getting-started, …/messenger-platform/webhooks,
 * …/whatsapp/webhooks/reference/messages).
 */
import type { InboundMessageInput } from '@switchboard/schema';
import type { MetaChannel } from './outbound.ts';
import { readMessagingEntry } from './messaging.ts';
import { readWhatsAppEntry } from './whatsapp.ts';
import { isObject, objects } from './json.ts';

/** A receipt of messages we sent: Messenger's delivery and read events, Instagram's seen, WhatsApp's statuses. */
export interface Receipt {
  channel: MetaChannel;
  account: string;
  /** The customer whose device reports it. */
  customer: string;
  status: 'sent' | 'delivered' | 'read' | 'failed';
  /** The channel's ids of the messages it names (mid, wamid). */
  ids?: string[];
  /** Every message sent before this time (epoch ms) is covered (Messenger's watermark). */
  watermark?: number;
  /** When the channel says it happened. */
  at: string;
  /** Why it failed, when it did. */
  reason?: string;
}

/** Where a person came from (an ad, an m.me link), told apart from a message: kept for their next one. */
export interface ReferralNote {
  channel: MetaChannel;
  account: string;
  customer: string;
  referral: Record<string, unknown>;
}

export type WebhookItem =
  | { kind: 'message'; message: InboundMessageInput }
  | { kind: 'receipt'; receipt: Receipt }
  | { kind: 'referral'; note: ReferralNote }
  | { kind: 'skipped'; reason: string }
  | { kind: 'unusable'; reason: string; raw: unknown; sourceId: string };

/** Every item of a verified webhook body, in the order Meta listed them. */
export function readWebhook(payload: unknown, receivedAt: Date): WebhookItem[] {
  if (!isObject(payload)) return [{ kind: 'unusable', reason: 'webhook body is not a JSON object', raw: payload, sourceId: 'webhook/not-an-object' }];
  const object = payload.object;
  const entries = objects(payload.entry);
  if (object === 'page' || object === 'instagram') {
    const channel: MetaChannel = object === 'page' ? 'messenger' : 'instagram';
    return entries.flatMap((entry) => readMessagingEntry(channel, entry, receivedAt));
  }
  if (object === 'whatsapp_business_account') return entries.flatMap((entry) => readWhatsAppEntry(entry, receivedAt));
  return [{ kind: 'skipped', reason: `webhook object "${String(object)}" is not one this connector reads` }];
}
