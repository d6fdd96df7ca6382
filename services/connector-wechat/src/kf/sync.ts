import type { ConnectorContext } from '@switchboard/connector-sdk';
import type { Attachment, InboundMessageInput } from '@switchboard/schema';
import { WechatApiError } from '../shared/api.ts';
import { keepFile } from '../shared/files.ts';
import type { KfMessage, SyncPage, WeComKfApi } from './api.ts';
import { kfSendFailure, mediaIdOf, normalizeKfMessage } from './normalize.ts';

/** sync_msg's limit: "默认值和最大值都为1000" (94670). */
export const SYNC_LIMIT = 1000;
/** sync_msg's answer to a callback token it does not accept (expired after 10 minutes, or not this account's). */
const INVALID_MSG_TOKEN = 95007;
const EXTENSIONS: Record<string, string> = { image: 'jpg', voice: 'amr', video: 'mp4', file: 'bin' };
const NICKNAME_CACHE = 10_000;

export function cursorStream(openKfId: string): string {
  return `kf/${openKfId}`;
}

export interface KfSyncOptions {
  api: WeComKfApi;
  context: ConnectorContext;
  corpId: string;
  maxMediaBytes: number;
}

interface AccountQueue {
  tail: Promise<void>;
  queued?: { token?: string; done: Promise<void> };
}

/**
 * Reads each kf account's messages with sync_msg, one sync at a time per account: from the stored cursor,
 * `limit` 1000, page after page while `has_more` (also when a page is empty), each page produced and its
 * `next_cursor` saved per (corp, open_kfid) only after Kafka acknowledged it (`ctx.emit` with the
 * checkpoint). A crash re-reads from the last saved cursor: the same msgids, the same message ids.
 */
export class KfSync {
  private readonly queues = new Map<string, AccountQueue>();
  private readonly names = new Map<string, string>();
  errors = 0;
  lastError: string | undefined;
  lastSyncAt: string | undefined;
  lastMessageAt: string | undefined;

  constructor(private readonly options: KfSyncOptions) {}

  /**
   * Syncs the account after the sync in progress; callbacks that come meanwhile share one more sync (with
   * the newest token). Resolves when it is done, also when it failed: then the next one starts from the
   * same cursor.
   */
  request(openKfId: string, token?: string): Promise<void> {
    const queue = this.queues.get(openKfId) ?? { tail: Promise.resolve() };
    this.queues.set(openKfId, queue);
    if (queue.queued) {
      if (token) queue.queued.token = token;
      return queue.queued.done;
    }
    const queued: { token?: string; done: Promise<void> } = { ...(token ? { token } : {}), done: Promise.resolve() };
    queued.done = queue.tail.then(async () => {
      queue.queued = undefined;
      try {
        await this.sync(openKfId, queued.token);
      } catch (error) {
        this.failed(openKfId, error);
      }
    });
    queue.queued = queued;
    queue.tail = queued.done;
    return queued.done;
  }

  /** Resolves when every queued sync has finished. */
  async idle(): Promise<void> {
    await Promise.all([...this.queues.values()].map((q) => q.tail));
  }

  private async sync(openKfId: string, token: string | undefined): Promise<void> {
    const { context, corpId } = this.options;
    let cursor = context.checkpoint(corpId, cursorStream(openKfId))?.cursor as string | undefined;
    let useToken = token;
    while (!context.signal.aborted) {
      let page: SyncPage;
      try {
        page = await this.options.api.syncMsg({ openKfId, limit: SYNC_LIMIT, ...(cursor ? { cursor } : {}), ...(useToken ? { token: useToken } : {}) });
      } catch (error) {
        if (!(useToken && error instanceof WechatApiError && error.errcode === INVALID_MSG_TOKEN)) throw error;
        context.logger.warn('kf callback token refused, syncing without it', { openKfId });
        useToken = undefined;
        continue;
      }
      if (page.hasMore && !page.nextCursor) throw new Error('sync_msg said has_more without a next_cursor');
      const next = page.nextCursor || cursor;
      const messages = await this.envelopes(page.messages);
      // Before the cursor moves past the page: a crash reads it again and reports again, never loses a failure.
      await this.reportSendFailures(page.messages);
      await context.emit(messages, next ? { account: corpId, stream: cursorStream(openKfId), position: { cursor: next } } : undefined);
      if (messages.length > 0) this.lastMessageAt = new Date().toISOString();
      cursor = next;
      if (!page.hasMore) break;
    }
    this.lastSyncAt = new Date().toISOString();
  }

  /**
   * msg_send_fail events naming a msgid of ours: the reply's delivery becomes failed with the reason. By
   * `externalId`, the msgid the send's `sent` report recorded (it is a hash of the outbound id: no way back).
   */
  private async reportSendFailures(list: KfMessage[]): Promise<void> {
    const receivedAt = new Date();
    for (const message of list) {
      const failure = kfSendFailure(message, receivedAt);
      if (failure) await this.options.context.reportDelivery({ schemaVersion: 1, channel: 'wechat', status: 'failed', ...failure });
    }
  }

  private failed(openKfId: string, error: unknown): void {
    const rateLimited = error instanceof WechatApiError && error.errcode === 45009;
    if (!rateLimited) this.errors++;
    this.lastError = (error as Error).message;
    this.options.context.logger.warn(rateLimited ? 'kf sync rate limited, the next one catches up' : 'kf sync failed, the next one starts from the saved cursor', { openKfId, error });
  }

  /** A page as envelopes: media fetched into the attachment store first, nicknames looked up; an entry that cannot be read is dead-lettered. */
  private async envelopes(list: KfMessage[]): Promise<InboundMessageInput[]> {
    const { context, corpId } = this.options;
    const receivedAt = new Date();
    const media = new Map<string, Attachment>();
    for (const message of list) {
      const mediaId = mediaIdOf(message);
      if (mediaId && !media.has(mediaId)) media.set(mediaId, await this.fetchMedia(mediaId, message.msgtype));
    }
    const nicknames = await this.nicknames(list);
    const envelopes: InboundMessageInput[] = [];
    for (const message of list) {
      try {
        envelopes.push(normalizeKfMessage(message, { corpId, receivedAt, media: (id) => media.get(id), nicknames }));
      } catch (error) {
        await context.deadLetter({ reason: `kf message unusable: ${(error as Error).message}`, raw: JSON.stringify(message), sourceId: `kf/${String(message.msgid ?? 'unknown')}`, error });
      }
    }
    return envelopes;
  }

  /** media/get into the attachment store; a media_id WeCom no longer has is recorded by id alone, a network failure retried with the page. */
  private async fetchMedia(mediaId: string, msgtype: string): Promise<Attachment> {
    try {
      const file = await this.options.api.getMedia(mediaId);
      return keepFile(this.options.context.dataDir, { name: file.filename ?? `${mediaId}.${EXTENSIONS[msgtype] ?? 'bin'}`, contentType: file.contentType, bytes: file.bytes }, this.options.maxMediaBytes);
    } catch (error) {
      if (!(error instanceof WechatApiError)) throw error;
      this.options.context.logger.warn('kf media not available', { mediaId, error });
      return { name: mediaId, contentType: 'application/octet-stream', size: 0 };
    }
  }

  /** Nicknames of the page's customers not looked up yet (kf/customer/batchget, 100 at a time); without them on failure. */
  private async nicknames(list: KfMessage[]): Promise<ReadonlyMap<string, string>> {
    const unknown = [...new Set(list.map((m) => m.external_userid).filter((id): id is string => typeof id === 'string' && id !== '' && !this.names.has(id)))];
    for (let i = 0; i < unknown.length; i += 100) {
      const ids = unknown.slice(i, i + 100);
      try {
        for (const [id, name] of await this.options.api.nicknames(ids)) this.names.set(id, name);
      } catch (error) {
        this.options.context.logger.warn('kf customer nicknames not available', { error });
        break;
      }
    }
    while (this.names.size > NICKNAME_CACHE) this.names.delete(this.names.keys().next().value!);
    return this.names;
  }
}
