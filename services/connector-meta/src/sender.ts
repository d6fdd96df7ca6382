/**
 * Sends one outbound message through the Graph API in the mode its reply policy chose, and says what
 * Meta called it. Long replies go out in pieces; a retry after a failed piece sends only the rest.
 */
import type { OutboundMessage } from '@switchboard/schema';
import type { MetaConfig } from './config.ts';
import type { Credentials, CredentialName } from './credentials.ts';
import { GraphClient, GraphRefusal } from './graph.ts';
import { messagingBody, parseConversationKey, splitForChannel, UnsendableError, whatsappTemplateBody, whatsappTextBody, type MetaChannel } from './outbound.ts';
import { REPLY_MODES } from './policy.ts';

interface SendApiAnswer {
  message_id?: string;
  messages?: { id?: string }[];
}

export interface Sent {
  channel: MetaChannel;
  account: string;
  customer: string;
  externalIds: string[];
}

export class MetaSender {
  /** Pieces of a long reply already accepted, by outbound id, so a retry does not repeat them. */
  private readonly progress = new Map<string, string[]>();

  constructor(
    private readonly config: MetaConfig,
    private readonly graph: GraphClient,
    private readonly credentials: Credentials,
    private readonly now: () => Date,
  ) {}

  async send(message: OutboundMessage): Promise<Sent> {
    const target = parseConversationKey(message.conversationKey);
    if (!target || target.channel !== message.channel) throw new UnsendableError(`conversationKey ${message.conversationKey} is not a ${message.channel} conversation of this connector`);
    const requests = target.channel === 'whatsapp' ? this.whatsappRequests(message, target.account, target.customer) : this.messagingRequests(message, target.channel, target.account, target.customer);
    if (requests.length === 0) throw new UnsendableError('the reply has no text to send');
    const done = this.progress.get(message.id) ?? [];
    for (const request of requests.slice(done.length)) {
      const answer = await this.post<SendApiAnswer>(request.credential, request.path, request.token, request.body);
      const id = answer.message_id ?? answer.messages?.[0]?.id;
      if (!id) throw new GraphRefusal({ kind: 'refused', reason: 'the Send API accepted the message but named no message id' });
      done.push(id);
      this.progress.set(message.id, done);
    }
    this.progress.delete(message.id);
    return { ...target, externalIds: done };
  }

  private messagingRequests(message: OutboundMessage, channel: MetaChannel, account: string, customer: string) {
    const token = this.config.pageAccessToken;
    if (!token) throw new UnsendableError(`a ${channel} reply needs META_PAGE_ACCESS_TOKEN`);
    // Messenger: the Page's own id (the conversation's account). Instagram's account is the professional
    // account's id; its messages are sent by the linked Page, which `me` names for a Page token.
    const path = channel === 'messenger' ? `${encodeURIComponent(account)}/messages` : 'me/messages';
    return splitForChannel(channel, message.text).map((text) => ({ credential: 'page' as const, path, token, body: messagingBody(message, customer, text) }));
  }

  private whatsappRequests(message: OutboundMessage, account: string, customer: string) {
    const whatsapp = this.config.whatsapp;
    if (!whatsapp) throw new UnsendableError('a WhatsApp reply needs WHATSAPP_ACCESS_TOKEN and WHATSAPP_PHONE_NUMBER_ID');
    if (account !== whatsapp.phoneNumberId) throw new UnsendableError(`the conversation is on WhatsApp number ${account}, WHATSAPP_PHONE_NUMBER_ID is ${whatsapp.phoneNumberId}`);
    const path = `${encodeURIComponent(account)}/messages`;
    const request = (body: Record<string, unknown>) => ({ credential: 'whatsapp' as const, path, token: whatsapp.accessToken, body });
    if (message.replyMode === REPLY_MODES.template) return [request(whatsappTemplateBody(customer, message, whatsapp.template))];
    if (message.replyMode !== undefined && message.replyMode !== REPLY_MODES.response) throw new UnsendableError(`reply mode "${message.replyMode}" is not one of WhatsApp's (response, template)`);
    return splitForChannel('whatsapp', message.text).map((text) => request(whatsappTextBody(customer, text)));
  }

  private async post<T>(credential: CredentialName, path: string, token: string, body: unknown): Promise<T> {
    try {
      const answer = await this.graph.post<T>(path, token, body);
      this.credentials.accept(credential);
      return answer;
    } catch (error) {
      if (error instanceof GraphRefusal && error.failure.kind === 'token') this.credentials.reject(credential, error.failure.reason, this.now());
      throw error;
    }
  }
}
