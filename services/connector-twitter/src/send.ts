/**
 * Sends one delivery through the account's API version. v2 (xdevplatform/docs, x-api/posts/manage-tweets
 * and x-api/direct-messages/manage): `POST /2/tweets` with `reply.in_reply_to_tweet_id`,
 * `POST /2/dm_conversations/with/:participant_id/messages`, `POST /2/dm_conversations/:id/messages`.
 * v1.1: `statuses/update` and `direct_messages/events/new`. Each is a billed write.
 */
import type { TwitterAccount } from './account.ts';
import type { Delivery } from './outbound.ts';
import { OutboundRefusedError } from './outbound.ts';
import { AuthorizationLostError } from './oauth2.ts';
import { XApiError } from './x-client.ts';

const HAS_URL = /https?:\/\/\S+/i;

export async function deliver(account: TwitterAccount, delivery: Delivery, signal?: AbortSignal): Promise<string> {
  try {
    const id = account.version === 'v1.1' ? await deliverV1(account, delivery, signal) : await deliverV2(account, delivery, signal);
    account.meter.write(account.meterName, delivery.kind === 'public' ? (HAS_URL.test(delivery.text) ? 'post_create_url' : 'post_create') : 'dm_create');
    return id;
  } catch (error) {
    if (error instanceof AuthorizationLostError) throw new OutboundRefusedError(error.message);
    // 400/403: X will not take this one as it is (a customer who does not accept DMs, a duplicate post); a retry cannot help.
    if (error instanceof XApiError && (error.status === 400 || error.status === 403)) throw new OutboundRefusedError(`X refused the message: ${error.reason}`);
    throw error;
  }
}

async function deliverV2(account: TwitterAccount, delivery: Delivery, signal?: AbortSignal): Promise<string> {
  if (delivery.kind === 'public') {
    const { data } = await account.api.request<{ data?: { id?: string } }>({ version: '2', method: 'POST', path: 'tweets', body: { text: delivery.text, reply: { in_reply_to_tweet_id: delivery.inReplyTo } }, signal });
    if (!data?.data?.id) throw new Error('POST /2/tweets returned no id');
    return data.data.id;
  }
  const request: { path: string; params: Record<string, string> } =
    delivery.kind === 'dm'
      ? { path: 'dm_conversations/with/:participant_id/messages', params: { participant_id: delivery.participantId } }
      : { path: 'dm_conversations/:dm_conversation_id/messages', params: { dm_conversation_id: delivery.conversationId } };
  const { data } = await account.api.request<{ data?: { dm_event_id?: string } }>({ version: '2', method: 'POST', ...request, body: { text: delivery.text }, signal });
  if (!data?.data?.dm_event_id) throw new Error(`POST /2/${request.path} returned no dm_event_id`);
  return data.data.dm_event_id;
}

async function deliverV1(account: TwitterAccount, delivery: Delivery, signal?: AbortSignal): Promise<string> {
  if (delivery.kind === 'public') {
    const { data } = await account.api.request<{ id_str?: string }>({
      version: '1.1',
      method: 'POST',
      path: 'statuses/update.json',
      body: { status: delivery.text, in_reply_to_status_id: delivery.inReplyTo, auto_populate_reply_metadata: true },
      signal,
    });
    if (!data?.id_str) throw new Error('statuses/update returned no id_str');
    return data.id_str;
  }
  if (delivery.kind === 'dm-group') throw new OutboundRefusedError('v1.1 has no group direct messages');
  const event = { type: 'message_create', message_create: { target: { recipient_id: delivery.participantId }, message_data: { text: delivery.text } } };
  const { data } = await account.api.request<{ event?: { id?: string } }>({ version: '1.1', method: 'POST', path: 'direct_messages/events/new.json', body: { event }, signal });
  if (!data?.event?.id) throw new Error('direct_messages/events/new returned no event id');
  return data.event.id;
}
