import { keepAttachment, type ConnectorContext } from '@switchboard/connector-sdk';
import type { Attachment } from '@switchboard/schema';
import { isPermanent } from '@switchboard/runtime';
import type { CountryCode } from 'libphonenumber-js/max';
import { applyEvent, type CallEvent, type RecordingFact } from './calls.ts';
import type { PhoneConfig } from './config.ts';
import { nextEnvelope } from './envelope.ts';
import { CallJournal, type CallEntry } from './journal.ts';
import { viewOf, type CallView } from './outcome.ts';
import { callEvents, fetchRecording, type TwilioApiOptions } from './twilio-api.ts';

export interface DeskOptions {
  /** First pause before fetching a recording again or producing again after a failure; doubles each time. */
  retryMs: number;
  /** A produced call quiet for this long is removed from the journal. */
  retentionMs: number;
  now: () => Date;
}

const MAX_FETCH_ATTEMPTS = 5;
// setTimeout's longest delay.
const MAX_DELAY_MS = 2 ** 31 - 1;

const keyOf = (event: Pick<CallEvent, 'provider' | 'callId'>) => `${event.provider}:${event.callId}`;

/**
 * Where calls are kept and produced: each callback's events are folded into their call's record and
 * written to the journal before the callback is answered; once a call's callbacks have been quiet for the
 * settle time, its message (or an edit of it) is produced. Work on one call is serial; calls run side by side.
 */
export class CallDesk {
  private readonly queues = new Map<string, Promise<unknown>>();
  private readonly timers = new Map<string, NodeJS.Timeout>();
  private readonly retries = new Map<string, number>();
  private stopped = false;
  errors = 0;
  lastProducedAt: string | undefined;

  constructor(
    private readonly journal: CallJournal,
    private readonly context: ConnectorContext,
    private readonly config: PhoneConfig,
    private readonly twilioApi: TwilioApiOptions | undefined,
    private readonly options: DeskOptions,
  ) {}

  private serial<T>(key: string, work: () => Promise<T>): Promise<T> {
    const run = (this.queues.get(key) ?? Promise.resolve()).catch(() => undefined).then(work);
    const settled = run.finally(() => {
      if (this.queues.get(key) === settled) this.queues.delete(key);
    });
    this.queues.set(key, settled);
    return run;
  }

  /** Folds the events into their calls and keeps them durably; the calls are produced after the settle time. */
  async accept(events: readonly CallEvent[]): Promise<void> {
    const byKey = new Map<string, CallEvent[]>();
    for (const event of events) byKey.set(keyOf(event), [...(byKey.get(keyOf(event)) ?? []), event]);
    await Promise.all(
      [...byKey].map(([key, group]) =>
        this.serial(key, async () => {
          const entry = (await this.journal.load(key)) ?? { key, record: applyEvent(undefined, group[0]!), lastArrivalAt: '', files: {} };
          for (const event of group) entry.record = applyEvent(entry.record, event);
          entry.lastArrivalAt = this.options.now().toISOString();
          await this.journal.save(entry);
        }),
      ),
    );
    for (const key of byKey.keys()) this.schedule(key, this.config.settleMs);
  }

  /** Picks up the calls of the journal: those not fully produced are produced, old ones removed. */
  async resume(): Promise<void> {
    for (const entry of await this.journal.all()) {
      if (!(await this.pruned(entry))) this.schedule(entry.key, Math.max(0, this.config.settleMs - this.quietFor(entry)));
    }
  }

  /** Removes the calls produced and quiet for longer than the retention (run now and then). */
  async prune(): Promise<void> {
    for (const entry of await this.journal.all()) await this.serial(entry.key, () => this.pruned(entry));
  }

  private quietFor(entry: CallEntry): number {
    return this.options.now().getTime() - Date.parse(entry.lastArrivalAt);
  }

  private async pruned(entry: CallEntry): Promise<boolean> {
    if (!entry.published || this.quietFor(entry) <= this.options.retentionMs) return false;
    await this.journal.remove(entry.key);
    return true;
  }

  private schedule(key: string, delayMs: number): void {
    if (this.stopped) return;
    clearTimeout(this.timers.get(key));
    const timer = setTimeout(() => {
      this.timers.delete(key);
      void this.serial(key, () => this.produce(key)).catch((error: unknown) => this.failed(key, error));
    }, Math.min(Math.max(0, delayMs), MAX_DELAY_MS));
    timer.unref();
    this.timers.set(key, timer);
  }

  private failed(key: string, error: unknown): void {
    this.errors++;
    const attempt = (this.retries.get(key) ?? 0) + 1;
    this.retries.set(key, attempt);
    this.context.logger.warn('call not produced; trying again', { key, attempt, error });
    this.schedule(key, this.options.retryMs * 2 ** Math.min(attempt - 1, 8));
  }

  private async produce(key: string): Promise<void> {
    if (this.stopped) return;
    const entry = await this.journal.load(key);
    if (!entry) return;
    const now = this.options.now();
    const view = viewOf(entry.record, now, this.config.silenceMs);
    if (!view) {
      // Not over yet: look again when its silence would close it.
      this.schedule(key, Date.parse(entry.record.lastEventAt) + this.config.silenceMs - now.getTime());
      return;
    }
    if (!view.parties && (await this.lookUpParties(entry))) return this.produce(key);
    const attachments = await this.attachmentsOf(entry, view);
    const next = nextEnvelope(entry.record, view, attachments, entry.published, { account: this.config.account, region: this.config.region as CountryCode, now });
    if (next) {
      await this.context.emit([next.envelope]);
      entry.published = next.published;
      this.lastProducedAt = now.toISOString();
    }
    await this.journal.save(entry);
    this.retries.delete(key);
  }

  /** A Twilio call known only from its recording: its parties from the Call resource, asked once. */
  private async lookUpParties(entry: CallEntry): Promise<boolean> {
    const { provider, callId, accountId } = entry.record;
    if (provider !== 'twilio' || !this.twilioApi || !accountId || entry.lookedUp) return false;
    entry.lookedUp = true;
    try {
      for (const event of await callEvents(callId, accountId, this.twilioApi, this.options.now())) entry.record = applyEvent(entry.record, event);
    } catch (error) {
      this.context.logger.warn('call resource not read; the call is produced without its parties', { callId, error });
    }
    await this.journal.save(entry);
    return true;
  }

  /** The call's completed recordings as attachments, fetched into the attachment store the first time. */
  private async attachmentsOf(entry: CallEntry, view: CallView): Promise<Attachment[]> {
    const attachments: Attachment[] = [];
    for (const recording of view.recordings) {
      const file = entry.files[recording.id] ?? { attempts: 0 };
      if (!file.attachment && recording.url && this.twilioApi && entry.record.accountId && file.attempts < MAX_FETCH_ATTEMPTS) {
        entry.files[recording.id] = await this.fetch(entry.key, recording, entry.record.accountId, file.attempts);
      }
      const kept = entry.files[recording.id]?.attachment;
      if (kept) attachments.push(kept);
    }
    return attachments;
  }

  private async fetch(key: string, recording: RecordingFact, accountSid: string, attempts: number): Promise<CallEntry['files'][string]> {
    try {
      const { bytes, contentType } = await fetchRecording(recording.url!, accountSid, this.twilioApi!);
      const extension = contentType === 'audio/mpeg' ? 'mp3' : 'wav';
      const name = `${recording.source === 'voicemail' ? 'voicemail' : 'call-recording'}-${recording.id}.${extension}`;
      return { attachment: await keepAttachment(this.context.dataDir, bytes, { name, contentType }), attempts: attempts + 1 };
    } catch (error) {
      const retryable = !isPermanent(error);
      this.context.logger.warn('recording not fetched', { recordingId: recording.id, error, retryable });
      // The call is produced without it now; a retry adds it with an edit.
      if (retryable && attempts + 1 < MAX_FETCH_ATTEMPTS) this.schedule(key, this.options.retryMs * 2 ** attempts);
      return { error: (error as Error).message, attempts: retryable ? attempts + 1 : MAX_FETCH_ATTEMPTS };
    }
  }

  async stop(): Promise<void> {
    this.stopped = true;
    for (const timer of this.timers.values()) clearTimeout(timer);
    this.timers.clear();
    await Promise.allSettled([...this.queues.values()]);
  }
}
