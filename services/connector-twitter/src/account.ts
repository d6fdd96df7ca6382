import type { CheckpointUpdate, ConnectorContext } from '@switchboard/connector-sdk';
import type { InboundMessageInput } from '@switchboard/schema';
import { sha256Hex } from '@switchboard/runtime';
import type { TwitterAccountConfig, TwitterConfig } from './config.ts';
import { DirectMessageEvent, Tweet, normalizeDirectMessage, normalizeTweet, type DmUsers, type Normalized, type OwnAccount } from './normalize.ts';
import { DmEventV2, PostV2, normalizeDmEvent, normalizePost, readIncludes, type Includes } from './normalize-v2.ts';
import { POST_FIELDS } from './poll-v2.ts';
import { OAuth2Tokens } from './oauth2.ts';
import type { ThreadIndex } from './threads.ts';
import type { UsageMeter } from './usage.ts';
import { XApiError, XClient, type Signer } from './x-client.ts';

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
 * One of our handles: its API client (OAuth 1.0a keys or OAuth 2.0 tokens), who it is, and the single
 * way its posts and DM events (polled or pushed, v1.1 or v2) become envelopes.
 */
export class TwitterAccount {
  readonly api: XClient;
  readonly oauth2: OAuth2Tokens | undefined;
  private identity: OwnAccount | undefined;
  lastMessageAt: string | undefined;
  /** Things an operator should know (a DM gap near the 30-day horizon), newest last. */
  readonly warnings: string[] = [];

  constructor(
    private readonly config: TwitterAccountConfig,
    private readonly app: Pick<TwitterConfig, 'api' | 'consumerKey' | 'consumerSecret' | 'clientId' | 'clientSecret' | 'apiBase' | 'timeoutMs'>,
    private readonly threads: ThreadIndex,
    private readonly recent: RecentIds,
    readonly meter: UsageMeter,
  ) {
    const auth = config.auth;
    this.oauth2 = auth.kind === 'oauth2' ? new OAuth2Tokens({ clientId: app.clientId!, clientSecret: app.clientSecret, apiBase: app.apiBase, timeoutMs: app.timeoutMs }, auth.refreshToken) : undefined;
    const signer: Signer =
      this.oauth2 ?? { tokens: async () => ({ appKey: app.consumerKey!, appSecret: app.consumerSecret!, accessToken: (auth as { accessToken: string }).accessToken, accessSecret: (auth as { accessTokenSecret: string }).accessTokenSecret }) };
    this.api = new XClient({ apiBase: app.apiBase, timeoutMs: app.timeoutMs, signer });
    if (config.handle && config.userId) this.identity = { handle: config.handle, userId: config.userId };
  }

  get version(): TwitterConfig['api'] {
    return this.app.api;
  }

  /** Who this account is, once known (configured, or read from the API by `resolveIdentity`). */
  get own(): OwnAccount | undefined {
    return this.identity;
  }

  /** A name for logs and health before the handle is known. */
  get label(): string {
    return this.identity ? `@${this.identity.handle}` : (this.config.handle ? `@${this.config.handle}` : `user ${this.config.userId ?? '(unresolved)'}`);
  }

  /** The account's name in metrics and checkpoints before its handle is known. */
  get meterName(): string {
    return this.identity?.handle ?? this.config.handle ?? this.config.userId ?? 'unresolved';
  }

  warn(context: ConnectorContext, message: string, fields: Record<string, unknown> = {}): void {
    context.logger.warn(message, { account: this.label, ...fields });
    this.warnings.push(`${new Date().toISOString()} ${message}`);
    if (this.warnings.length > 5) this.warnings.shift();
  }

  /** Asks the API once however many streams ask at the same time. */
  async resolveIdentity(signal?: AbortSignal): Promise<OwnAccount> {
    if (this.identity) return this.identity;
    this.resolving ??= (this.app.api === 'v1.1' ? this.verifyCredentials(signal) : this.usersMe(signal)).finally(() => (this.resolving = undefined));
    const found = await this.resolving;
    this.identity ??= { handle: this.config.handle ?? found.username.toLowerCase(), userId: this.config.userId ?? found.id };
    return this.identity;
  }
  private resolving: Promise<{ id: string; username: string }> | undefined;

  private async usersMe(signal?: AbortSignal): Promise<{ id: string; username: string }> {
    const { data } = await this.api.request<{ data?: { id?: string; username?: string } }>({ version: '2', method: 'GET', path: 'users/me', signal });
    if (!data?.data?.id || !data.data.username) throw new Error('users/me returned no id/username');
    this.meter.read(this.meterName, 'user_read', [data.data.id]);
    return { id: data.data.id, username: data.data.username };
  }

  private async verifyCredentials(signal?: AbortSignal): Promise<{ id: string; username: string }> {
    const { data } = await this.api.request<{ id_str?: string; screen_name?: string }>({ version: '1.1', method: 'GET', path: 'account/verify_credentials.json', query: { skip_status: true, include_entities: false }, signal });
    if (!data?.id_str || !data.screen_name) throw new Error('account/verify_credentials returned no id_str/screen_name');
    return { id: data.id_str, username: data.screen_name };
  }

  /**
   * Names and handles of DM senders (v1.1), as a webhook's `users` gives them, so a polled DM reads the
   * same as a pushed one. Only enrichment: a lookup X refuses (404 when no id matches) gives
   * none; a transient failure is thrown, to be retried with the poll.
   */
  async lookupUsers(userIds: readonly string[], signal?: AbortSignal): Promise<DmUsers> {
    const users: DmUsers = {};
    for (let start = 0; start < userIds.length; start += USERS_PER_LOOKUP) {
      const ids = userIds.slice(start, start + USERS_PER_LOOKUP);
      try {
        const { data } = await this.api.request<unknown>({ version: '1.1', method: 'GET', path: 'users/lookup.json', query: { user_id: ids.join(','), include_entities: false }, signal });
        for (const user of Array.isArray(data) ? (data as { id_str?: unknown; name?: unknown; screen_name?: unknown }[]) : []) {
          if (typeof user.id_str !== 'string') continue;
          users[user.id_str] = {
            ...(typeof user.name === 'string' ? { name: user.name } : {}),
            ...(typeof user.screen_name === 'string' ? { screen_name: user.screen_name } : {}),
          };
        }
        this.meter.read(this.meterName, 'user_read', Object.keys(users));
      } catch (error) {
        if (!(error instanceof XApiError) || error.retriable) throw error;
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
    }, 'v1.1 tweet');
  }

  /** Posts by id (`GET /2/tweets`, up to 100), with the fields polling asks for; none while the budget is spent. */
  async lookupPosts(ids: readonly string[], context: ConnectorContext): Promise<{ posts: unknown[]; includes: Includes }> {
    if (this.meter.exhausted) return { posts: [], includes: readIncludes(undefined) };
    const { data } = await this.api.request<{ data?: unknown[]; includes?: { users?: unknown[]; tweets?: unknown[] } }>({
      version: '2',
      method: 'GET',
      path: 'tweets',
      query: { ids: ids.slice(0, 100).join(','), ...POST_FIELDS },
      signal: context.signal,
    });
    const idsOf = (items: unknown[] | undefined) => (items ?? []).map((item) => String((item as { id?: unknown }).id));
    this.meter.read(this.meterName, 'post_read', [...idsOf(data?.data), ...idsOf(data?.includes?.tweets)]);
    this.meter.read(this.meterName, 'user_read', idsOf(data?.includes?.users));
    return { posts: data?.data ?? [], includes: readIncludes(data?.includes) };
  }

  /** v2 posts (mentions, or a webhook's tweets looked up again) with their response's includes. */
  async ingestPosts(context: ConnectorContext, raw: readonly unknown[], includes: Includes, checkpoint?: CheckpointUpdate): Promise<IngestResult> {
    const own = this.requireIdentity();
    return this.ingest(context, raw, checkpoint, (item) => {
      const parsed = PostV2.safeParse(item);
      return parsed.success ? normalizePost(parsed.data, includes, own) : { invalid: issuesOf(parsed.error.issues) };
    }, 'v2 post');
  }

  async ingestDmEvents(context: ConnectorContext, raw: readonly unknown[], includes: Includes, checkpoint?: CheckpointUpdate): Promise<IngestResult> {
    const own = this.requireIdentity();
    return this.ingest(context, raw, checkpoint, (item) => {
      const parsed = DmEventV2.safeParse(item);
      return parsed.success ? normalizeDmEvent(parsed.data, includes, own) : { invalid: issuesOf(parsed.error.issues) };
    }, 'v2 DM event');
  }

  async ingestDirectMessages(context: ConnectorContext, raw: readonly unknown[], users: DmUsers | undefined, checkpoint?: CheckpointUpdate): Promise<IngestResult> {
    const own = this.requireIdentity();
    return this.ingest(context, raw, checkpoint, (item) => {
      const parsed = DirectMessageEvent.safeParse(item);
      if (!parsed.success) return { invalid: issuesOf(parsed.error.issues) };
      return normalizeDirectMessage(parsed.data, own, { users });
    }, 'v1.1 DM event');
  }

  private async ingest(
    context: ConnectorContext,
    raw: readonly unknown[],
    checkpoint: CheckpointUpdate | undefined,
    normalize: (item: unknown) => Normalized | { invalid: string },
    shape: string,
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
        await context.deadLetter({ reason: `not a ${shape}: ${outcome.invalid}`, raw, sourceId: `${this.label}/${String(id ?? 'unknown')}` });
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
