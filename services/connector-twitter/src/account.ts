import type { CheckpointUpdate, ConnectorContext } from '@switchboard/connector-sdk';
import type { InboundMessageInput } from '@switchboard/schema';
import { sha256Hex } from '@switchboard/runtime';
import type { TwitterAccountConfig, TwitterConfig } from './config.ts';
import { DirectMessageEvent, Tweet, normalizeDirectMessage, normalizeTweet, type DmUsers, type Normalized, type OwnAccount } from './normalize.ts';
import type { ThreadIndex } from './threads.ts';
import { TwitterApi, TwitterApiError } from './twitter-api.ts';

const USERS_PER_LOOKUP = 100;

/** Ids emitted (or dead-lettered) lately, so a tweet seen by webhook and then by polling is produced once. */
export class RecentIds {
  private readonly ids = new Set<string>();
  constructor(private readonly capacity = 20_000) {}

  has(id: string): boolean {
    return this.ids.has(id);
  }

  add(id: string): void {
    this.ids.add(id);
    while (this.ids.size > this.capacity) this.ids.delete(this.ids.values().next().value!);
  }
}

export interface IngestResult {
  emitted: number;
  ignored: number;
  deadLettered: number;
}

/**
 * One of our handles: its API client, who it is, and the single way its tweets and DM events
 * (polled or pushed) become envelopes.
 */
export class TwitterAccount {
  readonly api: TwitterApi;
  private identity: OwnAccount | undefined;
  lastMessageAt: string | undefined;

  constructor(
    private readonly config: TwitterAccountConfig,
    app: Pick<TwitterConfig, 'consumerKey' | 'consumerSecret' | 'apiBase' | 'timeoutMs'>,
    private readonly threads: ThreadIndex,
    private readonly recent: RecentIds,
  ) {
    this.api = new TwitterApi({ ...app, accessToken: config.accessToken, accessTokenSecret: config.accessTokenSecret });
    if (config.handle && config.userId) this.identity = { handle: config.handle, userId: config.userId };
  }

  /** Who this account is, once known (configured, or read from the API by `resolveIdentity`). */
  get own(): OwnAccount | undefined {
    return this.identity;
  }

  /** A name for logs and health before the handle is known. */
  get label(): string {
    return this.identity ? `@${this.identity.handle}` : (this.config.handle ? `@${this.config.handle}` : `user ${this.config.userId ?? '(unresolved)'}`);
  }

  async resolveIdentity(signal?: AbortSignal): Promise<OwnAccount> {
    if (this.identity) return this.identity;
    const { data } = await this.api.get<{ id_str?: string; screen_name?: string }>('account/verify_credentials', { skip_status: true, include_entities: false }, signal);
    if (!data?.id_str || !data.screen_name) throw new Error('account/verify_credentials returned no id_str/screen_name');
    this.identity = { handle: this.config.handle ?? data.screen_name.toLowerCase(), userId: this.config.userId ?? data.id_str };
    return this.identity;
  }

  /**
   * Names and handles of DM senders, as a webhook's `users` gives them, so a polled DM reads the
   * same as a pushed one. Only enrichment: a lookup Twitter refuses (404 when no id matches) gives
   * none; a transient failure is thrown, to be retried with the poll.
   */
  async lookupUsers(userIds: readonly string[], signal?: AbortSignal): Promise<DmUsers> {
    const users: DmUsers = {};
    for (let start = 0; start < userIds.length; start += USERS_PER_LOOKUP) {
      const ids = userIds.slice(start, start + USERS_PER_LOOKUP);
      try {
        const { data } = await this.api.get<unknown>('users/lookup', { user_id: ids.join(','), include_entities: false }, signal);
        for (const user of Array.isArray(data) ? (data as { id_str?: unknown; name?: unknown; screen_name?: unknown }[]) : []) {
          if (typeof user.id_str !== 'string') continue;
          users[user.id_str] = {
            ...(typeof user.name === 'string' ? { name: user.name } : {}),
            ...(typeof user.screen_name === 'string' ? { screen_name: user.screen_name } : {}),
          };
        }
      } catch (error) {
        if (!(error instanceof TwitterApiError) || error.retriable) throw error;
      }
    }
    return users;
  }

  async ingestTweets(context: ConnectorContext, raw: readonly unknown[], checkpoint?: CheckpointUpdate): Promise<IngestResult> {
    const own = this.requireIdentity();
    return this.ingest(context, raw, checkpoint, (item) => {
      const parsed = Tweet.safeParse(item);
      if (!parsed.success) return { invalid: issuesOf(parsed.error.issues) };
      const tweet = parsed.data;
      this.threads.remember(tweet.id_str, tweet.in_reply_to_status_id_str);
      return normalizeTweet(tweet, own, { rootOf: this.threads.rootOf });
    });
  }

  async ingestDirectMessages(context: ConnectorContext, raw: readonly unknown[], users: DmUsers | undefined, checkpoint?: CheckpointUpdate): Promise<IngestResult> {
    const own = this.requireIdentity();
    return this.ingest(context, raw, checkpoint, (item) => {
      const parsed = DirectMessageEvent.safeParse(item);
      if (!parsed.success) return { invalid: issuesOf(parsed.error.issues) };
      return normalizeDirectMessage(parsed.data, own, { users });
    });
  }

  private async ingest(
    context: ConnectorContext,
    raw: readonly unknown[],
    checkpoint: CheckpointUpdate | undefined,
    normalize: (item: unknown) => Normalized | { invalid: string },
  ): Promise<IngestResult> {
    const result: IngestResult = { emitted: 0, ignored: 0, deadLettered: 0 };
    const messages: InboundMessageInput[] = [];
    for (const item of raw) {
      const outcome = normalize(item);
      if ('invalid' in outcome) {
        const raw = JSON.stringify(item);
        // Polling reads the newest page again and again: keep a broken item once, not on every poll.
        const digest = `invalid:${sha256Hex(raw)}`;
        if (this.recent.has(digest)) continue;
        const id = (item as { id_str?: unknown; id?: unknown } | null)?.id_str ?? (item as { id?: unknown } | null)?.id;
        await context.deadLetter({ reason: `not a v1.1 tweet or DM event: ${outcome.invalid}`, raw, sourceId: `${this.label}/${String(id ?? 'unknown')}` });
        this.recent.add(digest);
        result.deadLettered++;
      } else if ('ignored' in outcome) {
        result.ignored++;
      } else if (!this.recent.has(outcome.message.id)) {
        messages.push(outcome.message);
      }
    }
    await context.emit(messages, checkpoint);
    for (const message of messages) this.recent.add(message.id);
    result.emitted = messages.length;
    if (messages.length > 0) this.lastMessageAt = new Date().toISOString();
    return result;
  }

  private requireIdentity(): OwnAccount {
    if (!this.identity) throw new Error(`${this.label}: account identity not resolved yet`);
    return this.identity;
  }
}

function issuesOf(issues: readonly { path: PropertyKey[]; message: string }[]): string {
  return issues
    .slice(0, 5)
    .map((issue) => `${issue.path.map(String).join('.') || '(root)'}: ${issue.message}`)
    .join('; ');
}
