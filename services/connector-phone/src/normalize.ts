import { z } from 'zod';
import { messageId, type InboundMessageInput } from '@switchboard/schema';
import { tidyText, toIso } from '@switchboard/connector-sdk';

/** The channel's webhook payload. Replace with the real one. */
export const PhonePayload = z.object({
  id: z.string().min(1),
  from: z.object({ id: z.string().min(1), name: z.string().optional() }),
  text: z.string(),
  thread: z.string().optional(),
  sentAt: z.union([z.string(), z.number()]).optional(),
});
export type PhonePayload = z.infer<typeof PhonePayload>;

export function normalizePhone(payload: PhonePayload, account: string, receivedAt = new Date()): InboundMessageInput {
  return {
    schemaVersion: 1,
    id: messageId('phone', account, payload.id),
    channel: 'phone',
    account,
    externalId: payload.id,
    conversationKey: `phone:${payload.thread ?? payload.from.id}`,
    sender: { id: payload.from.id, ...(payload.from.name ? { name: payload.from.name } : {}) },
    text: tidyText(payload.text),
    sentAt: toIso(payload.sentAt, receivedAt),
    receivedAt: receivedAt.toISOString(),
    meta: { source: 'phone' },
  };
}
