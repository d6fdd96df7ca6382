import { randomUUID } from 'node:crypto';
import type { Admin, Kafka } from 'kafkajs';
import type { LedgerEntry } from '@switchboard/schema';
import { createLogger, isRetriable, PermanentError, RETRY_BUDGETS, sleep, withRetry, type Logger } from '@switchboard/runtime';
import type { BatchingProducer } from './producer.ts';
import { decide, type IdState } from './ledger-state.ts';
import { LedgerFollower } from './ledger-follower.ts';
import { untilStopDeadline } from './shutdown.ts';

export interface OutboundLedgerOptions {
  kafka: Kafka;
  producer: BatchingProducer;
  /** The ledger topic (`cs.connector.outbound-ledger.v1`), as many partitions as `outboundTopic`. */
  topic: string;
  outboundTopic: string;
  /** Whose ids: the connector name. Replicas share it. */
  namespace: string;
  /** The outbound consumer group: its commits carry where the ledger is to be read from, its members who is alive. */
  groupId: string;
  /**
   * How far back a starting replica reads, for an id produced twice (a sink that crashed between
   * producing an acknowledgement and recording it produces it again): the same id within this window
   * is sent once even across a restart. A redelivery after a crash is covered whatever its age.
   */
  duplicateWindowMs?: number;
  /** How long a claim stands for a replica that is still in the group but never finished. */
  leaseMs?: number;
  logger?: Logger;
}

/**
 * `sent`: sent by this call. Otherwise sent before; `redelivered` when by this very record (its
 * processing may have stopped before its delivery report), not by an earlier copy of the id.
 */
export type OnceOutcome = { sent: true; externalId?: string } | { sent: false; redelivered: boolean; externalId?: string };

const METADATA_PREFIX = 'ledger:';
const CLAIM_VISIBLE_MS = 30_000;
const MEMBERS_FRESH_MS = 1_000;

/**
 * Sends each outbound id once across every replica of a connector, with nothing but Kafka. Before a
 * send, a replica claims the id on the ledger partition of the outbound record and reads that
 * partition back up to its claim; the first claim in log order wins. After the send it records the
 * id sent. Memory and start-up read what the duplicate window and the uncommitted records need, not
 * history: a new owner of a partition starts at the ledger position stored in the group's last commit.
 */
export class OutboundLedger {
  readonly instance = randomUUID();
  /** Ledger entries the follower had to read back at start (all namespaces). */
  readonly readBack: number;
  /**
   * Sent by this process, its `sent` entry not yet durable (`failed` when writing it failed): a copy
   * of the id in the meantime is not sent again, and a retry after a failed write only records it.
   */
  private readonly unmarked = new Map<string, { externalId: string | undefined; source: LedgerEntry['source']; failed: boolean }>();
  /** Claims of this process not yet sent or released, by id. */
  private readonly tokens = new Map<string, string>();
  private readonly marking = new Set<Promise<void>>();
  private markFailure: unknown;
  private members: { at: number; ids: Set<string> | undefined } = { at: 0, ids: undefined };
  private sweeper: NodeJS.Timeout | undefined;

  private constructor(
    private readonly options: Required<Omit<OutboundLedgerOptions, 'logger'>> & { logger: Logger },
    private readonly admin: Admin,
    private readonly follower: LedgerFollower,
    readBack: number,
  ) {
    this.readBack = readBack;
  }

  static async open(options: OutboundLedgerOptions): Promise<OutboundLedger> {
    const full = { duplicateWindowMs: 10 * 60_000, leaseMs: 5 * 60_000, logger: createLogger(`ledger.${options.namespace}`), ...options };
    const admin = options.kafka.admin();
    await admin.connect();
    try {
      const { from, readBack } = await startOffsets(admin, full);
      const follower = new LedgerFollower(options.kafka, options.topic, options.namespace, `${options.groupId}.ledger.${randomUUID()}`, full.logger);
      await follower.start(from);
      const ledger = new OutboundLedger(full, admin, follower, readBack);
      ledger.sweeper = setInterval(() => void ledger.sweep().catch((error: unknown) => full.logger.warn('ledger sweep failed', { error })), 60_000);
      ledger.sweeper.unref();
      full.logger.info('outbound ledger following', { readBack });
      return ledger;
    } catch (error) {
      await admin.disconnect();
      throw error;
    }
  }

  /** What the ledger knows of an id (tests and health). */
  state(id: string): IdState | undefined {
    return this.follower.ids.get(id);
  }

  get size(): number {
    return this.follower.ids.size;
  }

  /** Stored with each commit of an outbound partition: where its next owner starts reading the ledger. */
  commitMetadata(partition: number): string | undefined {
    const position = this.follower.position(partition);
    return position === undefined ? undefined : `${METADATA_PREFIX}${position}`;
  }

  /**
   * Claims, in one write per partition, the ids of a chunk that nobody holds and nobody sent, and
   * waits until they are read back: `once` then finds most of them its own without a round trip each.
   */
  async claimFree(items: readonly { id: string; source: LedgerEntry['source'] }[], member: string | undefined): Promise<void> {
    const free = items.filter(({ id }) => {
      const state = this.follower.ids.get(id);
      return !state?.sent && !state?.holder && !this.tokens.has(id) && !this.unmarked.has(id);
    });
    if (free.length === 0) return;
    await this.claim(free.map((item) => ({ ...item, supersedes: undefined })), member);
  }

  /**
   * Runs `send` for an id unless it was sent already (by anyone), waiting for a replica that holds it.
   * A failed send releases the claim and throws. The `sent` entry is written in the background:
   * `flush` waits for it (before the outbound offset is committed).
   */
  async once(id: string, source: LedgerEntry['source'], member: string | undefined, send: () => Promise<string | undefined>): Promise<OnceOutcome> {
    for (;;) {
      const token = this.tokens.get(id);
      const state = this.follower.ids.get(id);
      const here = this.unmarked.get(id);
      if (here && !state?.sent) {
        if (here.failed) return this.markSent(id, token ?? randomUUID(), here.source, member, here.externalId);
        const redelivered = here.source.partition === source.partition && here.source.offset === source.offset;
        return { sent: false, redelivered, ...(here.externalId ? { externalId: here.externalId } : {}) };
      }
      const members = state?.holder && state.holder.token !== token && state.holder.instance !== this.instance ? await this.groupMembers() : undefined;
      const decision = decide(state, { source, token, instance: this.instance, now: Date.now(), isMember: (m) => members?.has(m) });
      switch (decision.action) {
        case 'skip':
          this.tokens.delete(id);
          return { sent: false, redelivered: decision.redelivered, ...(decision.externalId ? { externalId: decision.externalId } : {}) };
        case 'claim':
          if (decision.supersedes) this.options.logger.warn('taking over a claim', { id, supersedes: decision.supersedes, holder: state?.holder });
          await this.claim([{ id, source, supersedes: decision.supersedes }], member);
          break;
        case 'wait':
          await sleep(Math.max(50, Math.min(1_000, decision.until - Date.now())));
          break;
        case 'send': {
          let externalId: string | undefined;
          try {
            externalId = await send();
          } catch (error) {
            this.tokens.delete(id);
            await this.write([{ kind: 'release', id, token: token!, source, member }]);
            throw error;
          }
          return this.markSent(id, token!, source, member, externalId);
        }
      }
    }
  }

  /** Resolves when every `sent` entry written so far is durable; throws if one failed (the batch is then retried). */
  async flush(): Promise<void> {
    await Promise.allSettled([...this.marking]);
    const failure = this.markFailure;
    this.markFailure = undefined;
    if (failure !== undefined) throw failure;
  }

  /** Releases this process's claims that were not sent (it stops between two sends): the next owner need not wait. */
  async releaseUnsent(member: string | undefined): Promise<void> {
    const entries = [...this.tokens].flatMap(([id, token]) => {
      const source = this.follower.ids.get(id)?.source;
      return source ? [{ kind: 'release' as const, id, token, source, member }] : [];
    });
    this.tokens.clear();
    if (entries.length > 0) await this.write(entries);
  }

  private markSent(id: string, token: string, source: LedgerEntry['source'], member: string | undefined, externalId: string | undefined): OnceOutcome {
    this.tokens.delete(id);
    const here = { externalId, source, failed: false };
    this.unmarked.set(id, here);
    const mark = this.write([{ kind: 'sent', id, token, source, member, ...(externalId ? { externalId } : {}) }]).then(
      () => void this.unmarked.delete(id),
      (error: unknown) => {
        here.failed = true;
        this.markFailure = error;
      },
    );
    this.marking.add(mark);
    void mark.finally(() => this.marking.delete(mark));
    return { sent: true, ...(externalId ? { externalId } : {}) };
  }

  private async claim(items: readonly { id: string; source: LedgerEntry['source']; supersedes: string | undefined }[], member: string | undefined): Promise<void> {
    const claims = items.map((item) => ({ ...item, token: randomUUID() }));
    // Listening before writing: the follower may read a claim back before the produce resolves.
    const visible = Promise.all(claims.map((c) => this.follower.claimApplied(c.token, CLAIM_VISIBLE_MS)));
    visible.catch(() => undefined);
    const expiresAt = new Date(Date.now() + this.options.leaseMs).toISOString();
    await this.write(claims.map(({ id, source, token, supersedes }) => ({ kind: 'claim' as const, id, token, source, member, expiresAt, ...(supersedes ? { supersedes } : {}) })));
    for (const c of claims) this.tokens.set(c.id, c.token);
    await visible;
  }

  private async write(entries: readonly (Pick<LedgerEntry, 'kind' | 'id' | 'token' | 'source'> & Partial<LedgerEntry>)[]): Promise<void> {
    const at = new Date().toISOString();
    const records = entries.map(({ member, ...rest }) => {
      const value: LedgerEntry = { schemaVersion: 1, namespace: this.options.namespace, instance: this.instance, ...rest, ...(member ? { member } : {}), at };
      return { key: `${value.namespace}/${value.id}`, value, partition: rest.source.partition };
    });
    await this.options.producer.sendJson(this.options.topic, records);
  }

  private async groupMembers(): Promise<Set<string> | undefined> {
    if (Date.now() - this.members.at < MEMBERS_FRESH_MS) return this.members.ids;
    const { groups } = await this.admin.describeGroups([this.options.groupId]);
    this.members = { at: Date.now(), ids: groups[0] ? new Set(groups[0].members.map((m) => m.memberId)) : undefined };
    return this.members.ids;
  }

  /** Forgets ids older than the duplicate window whose outbound record the group has committed past. */
  private async sweep(): Promise<void> {
    const committed = await committedOffsets(this.admin, this.options.groupId, this.options.outboundTopic);
    const horizon = Date.now() - this.options.duplicateWindowMs;
    const dropped = this.follower.evict((s) => s.lastAt >= horizon || BigInt(s.source.offset) >= (committed.get(s.source.partition)?.offset ?? 0n));
    if (dropped > 0) this.options.logger.debug('ledger entries forgotten', { dropped, kept: this.follower.ids.size });
  }

  async close(): Promise<void> {
    clearInterval(this.sweeper);
    await this.follower.stop();
    await untilStopDeadline(this.admin.disconnect(), 'outbound ledger admin');
  }
}

async function committedOffsets(admin: Admin, groupId: string, topic: string): Promise<Map<number, { offset: bigint; ledger: bigint | undefined }>> {
  const [committed] = await admin.fetchOffsets({ groupId, topics: [topic] });
  const out = new Map<number, { offset: bigint; ledger: bigint | undefined }>();
  for (const p of committed?.partitions ?? []) {
    if (BigInt(p.offset) < 0n) continue;
    const ledger = p.metadata?.startsWith(METADATA_PREFIX) ? p.metadata.slice(METADATA_PREFIX.length) : undefined;
    out.set(p.partition, { offset: BigInt(p.offset), ledger: ledger && /^\d+$/.test(ledger) ? BigInt(ledger) : undefined });
  }
  return out;
}

/**
 * Per ledger partition: the earlier of where the group's last commit says the ledger stood (every
 * claim for a record after that commit comes later) and the start of the duplicate window.
 */
async function startOffsets(admin: Admin, options: Required<Omit<OutboundLedgerOptions, 'logger'>>): Promise<{ from: Map<number, bigint>; readBack: number }> {
  // Offset look-ups fail while a leader is elected (a fresh cluster, a broker restart); kafkajs does not retry them.
  const [ledgerEnds, outboundEnds, committed, windowStart] = await withRetry(
    () =>
      Promise.all([
        admin.fetchTopicOffsets(options.topic),
        admin.fetchTopicOffsets(options.outboundTopic),
        committedOffsets(admin, options.groupId, options.outboundTopic),
        admin.fetchTopicOffsetsByTimestamp(options.topic, Date.now() - options.duplicateWindowMs),
      ]),
    RETRY_BUDGETS['kafka.offsets'],
    { retryable: isRetriable },
  );
  if (ledgerEnds.length !== outboundEnds.length) {
    throw new PermanentError(`${options.topic} has ${ledgerEnds.length} partitions and ${options.outboundTopic} ${outboundEnds.length}: they must have as many`);
  }
  const from = new Map<number, bigint>();
  let readBack = 0;
  for (const p of ledgerEnds) {
    const low = BigInt(p.low);
    const high = BigInt(p.high);
    // kafkajs answers the high watermark for a partition with nothing newer.
    const byTime = BigInt(windowStart.find((w) => w.partition === p.partition)?.offset ?? p.high);
    // No position in the commit (a new group, or commits from before the ledger existed): the window alone.
    const byCommit = committed.get(p.partition)?.ledger;
    let start = byCommit !== undefined && byCommit < byTime ? byCommit : byTime;
    if (start < low) start = low;
    if (start > high) start = high;
    from.set(p.partition, start);
    readBack += Number(high - start);
  }
  return { from, readBack };
}
