/**
 * Restart pause: how long messages stop reaching the store when the router or the ticket sink is
 * restarted, as a process manager restarts a service (SIGTERM, wait for the exit, start it again; the
 * new process joins the same consumer group). The pipeline carries a steady offered load meanwhile.
 * The pause runs from the SIGTERM until the store holds a message that the new process handled:
 * routed (`routed_at`) or written (`stored_at`) after the old process exited. The old one finishes
 * the batch in hand first, so some messages still arrive in between.
 */
import type { BatchingProducer } from '@switchboard/kafka';
import type { TopicNames } from '@switchboard/schema';
import { ArrivalWatcher, offerAtRate, type Arrival } from './arrivals.ts';
import { startStage, type Run } from './context.ts';
import { nowMs, waitUntil, type StageProcess } from './harness.ts';
import { generateMessages } from './messages.ts';

export interface RestartResult {
  /** SIGTERM → the first message the new process handled is in the store. */
  pauseMs: number;
  /** The longest time in the phase with no message arriving in the store. */
  longestGapMs: number;
  /** SIGTERM → the old process exited (it finishes and commits the batch in hand). */
  stopMs: number;
  /** Exit → the new process consumes (its start: Node, modules, Kafka, the group). */
  startMs: number;
}

export interface RestartSetup {
  run: Run;
  producer: BatchingProducer;
  topics: TopicNames;
  databaseUrl: string;
  /** The phase the running stage was started for: its replacement joins the same consumer group. */
  phase: string;
  rate: number;
  seed: number;
}

/** The steady load before the restart, so the pause is measured on a pipeline that is flowing. */
const STEADY_MS = 2_000;
/** The longest pause waited for before the phase fails. */
const PAUSE_LIMIT_MS = 120_000;

/** Restarts `running` under load; returns the figures and the process that replaced it. */
export async function measureRestartPause(setup: RestartSetup, running: StageProcess, env: NodeJS.ProcessEnv = {}): Promise<{ result: RestartResult; replacement: StageProcess }> {
  const { run, producer, topics, databaseUrl, rate } = setup;
  const messages = generateMessages({ count: Math.ceil((rate * (STEADY_MS + PAUSE_LIMIT_MS)) / 1000), seed: setup.seed, runTag: `${run.stamp}-restart-${running.stage}`, startAt: new Date() });
  const watcher = await ArrivalWatcher.open(databaseUrl);
  const offering = new AbortController();
  const offered = offerAtRate(
    producer,
    topics.inbound,
    messages,
    rate,
    (m) => watcher.expect(m.id),
    offering.signal,
  );
  try {
    await new Promise((r) => setTimeout(r, STEADY_MS));
    const signalled = nowMs();
    await running.stop();
    const exited = nowMs();
    const replacement = startStage(run, running.stage, setup.phase, topics, env);
    await replacement.ready;
    const consuming = nowMs();
    // The stamp the restarted stage puts on a message: after the old process exited, only the new one can have.
    const handledAt = (arrival: Arrival) => (running.stage === 'router' ? arrival.routedAt : arrival.storedAt);
    let flowing = Number.POSITIVE_INFINITY;
    await waitUntil(
      async () => {
        for (const arrival of watcher.arrivals.values()) if (handledAt(arrival) >= exited) flowing = Math.min(flowing, arrival.seenAt);
        return Number.isFinite(flowing);
      },
      `restart of the ${running.stage}: a message handled by the new process in the store`,
      PAUSE_LIMIT_MS,
      10,
    );
    offering.abort();
    await offered;
    // What was sent arrives before the next phase starts, so it measures a pipeline without a backlog.
    await watcher.settle(60_000);
    const round = (ms: number) => Math.round(ms);
    return {
      result: { pauseMs: round(flowing - signalled), longestGapMs: round(longestGap(watcher)), stopMs: round(exited - signalled), startMs: round(consuming - exited) },
      replacement,
    };
  } finally {
    offering.abort();
    await offered;
    await watcher.close();
  }
}

function longestGap(watcher: ArrivalWatcher): number {
  const seen = [...new Set([...watcher.arrivals.values()].map((a) => a.seenAt))].sort((a, b) => a - b);
  let gap = 0;
  for (let i = 1; i < seen.length; i++) gap = Math.max(gap, seen[i]! - seen[i - 1]!);
  return gap;
}
