/**
 * Webhook bodies in Meta's wire format, signed as Meta signs them, for tests that make "Meta" deliver.
 * Shapes: developers.facebook.com/documentation/business-messaging/messenger-platform/webhooks/
 * webhook-events/messages, message-deliveries, message-reads; …/instagram-platform/webhooks/examples;
 * …/whatsapp/webhooks/reference/messages/text and …/messages/status.
 */
import { readFileSync } from 'node:fs';
import { metaSignature, SIGNATURE_HEADER } from '../src/index.ts';

export function fixture<T = any>(name: string): T {
  return JSON.parse(readFileSync(new URL(`./fixtures/${name}`, import.meta.url), 'utf8')) as T;
}

export function signedPost(url: string, appSecret: string, payload: unknown, signature?: string): Promise<Response> {
  const body = typeof payload === 'string' ? payload : JSON.stringify(payload);
  return fetch(url, { method: 'POST', body, headers: { 'content-type': 'application/json', [SIGNATURE_HEADER]: signature ?? metaSignature(appSecret, body) } });
}

/** One Messenger (`page`) or Instagram text message from `customer` to `account`. */
export function messagingText(object: 'page' | 'instagram', account: string, customer: string, mid: string, text: string, timestamp: number) {
  return {
    object,
    entry: [{ id: account, time: timestamp + 120, messaging: [{ sender: { id: customer }, recipient: { id: account }, timestamp, message: { mid, text } }] }],
  };
}

export function messengerDelivery(pageId: string, customer: string, receipt: { mids?: string[]; watermark: number }, timestamp: number) {
  return { object: 'page', entry: [{ id: pageId, time: timestamp, messaging: [{ sender: { id: customer }, recipient: { id: pageId }, timestamp, delivery: receipt }] }] };
}

export function messengerRead(pageId: string, customer: string, watermark: number, timestamp: number) {
  return { object: 'page', entry: [{ id: pageId, time: timestamp, messaging: [{ sender: { id: customer }, recipient: { id: pageId }, timestamp, read: { watermark } }] }] };
}

export function instagramSeen(igId: string, customer: string, mid: string, timestamp: number) {
  return { object: 'instagram', entry: [{ id: igId, time: timestamp, messaging: [{ sender: { id: customer }, recipient: { id: igId }, timestamp, read: { mid } }] }] };
}

function whatsappChange(phoneNumberId: string, value: Record<string, unknown>) {
  return {
    object: 'whatsapp_business_account',
    entry: [{ id: '102290129340398', changes: [{ field: 'messages', value: { messaging_product: 'whatsapp', metadata: { display_phone_number: '15550783881', phone_number_id: phoneNumberId }, ...value } }] }],
  };
}

export function whatsappText(phoneNumberId: string, waId: string, name: string, wamid: string, text: string, seconds: number) {
  return whatsappChange(phoneNumberId, {
    contacts: [{ profile: { name }, wa_id: waId }],
    messages: [{ from: waId, id: wamid, timestamp: String(seconds), type: 'text', text: { body: text } }],
  });
}

/** A WhatsApp image (…/webhooks/reference/messages/image): the media id and its sha256, no bytes. */
export function whatsappImage(phoneNumberId: string, waId: string, wamid: string, media: { id: string; sha256: string; caption?: string }, seconds: number) {
  return whatsappChange(phoneNumberId, {
    contacts: [{ profile: { name: 'Kai Chen' }, wa_id: waId }],
    messages: [{ from: waId, id: wamid, timestamp: String(seconds), type: 'image', image: { mime_type: 'image/jpeg', ...media } }],
  });
}

/** A Messenger message with one attachment on Meta's CDN (…/webhook-events/messages, `attachments[].payload.url`). */
export function messengerAttachment(pageId: string, customer: string, mid: string, type: 'image' | 'file', url: string, timestamp: number) {
  return { object: 'page', entry: [{ id: pageId, time: timestamp, messaging: [{ sender: { id: customer }, recipient: { id: pageId }, timestamp, message: { mid, attachments: [{ type, payload: { url } }] } }] }] };
}

export function whatsappStatus(phoneNumberId: string, waId: string, wamid: string, status: 'sent' | 'delivered' | 'read' | 'failed', seconds: number, error?: Record<string, unknown>) {
  return whatsappChange(phoneNumberId, {
    statuses: [
      {
        id: wamid,
        status,
        timestamp: String(seconds),
        recipient_id: waId,
        ...(status === 'failed' ? { errors: [error] } : { conversation: { id: 'c0f2e1f8f6b3a1', origin: { type: 'service' } }, pricing: { billable: true, pricing_model: 'PMP', category: 'service' } }),
      },
    ],
  });
}
