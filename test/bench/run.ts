/**
 * `pnpm bench`: throughput, latency, classifier speed and memory of the pipeline on the real Kafka and
 * the real PostgreSQL, each figure beside the raw limit of the component under it. Progress goes to
 * stderr; stdout gets a table and, as its last line, one JSON object with every figure.
 *
 *   pnpm bench [--messages 100000] [--rate 500] [--seconds 60] [--classifier-seconds 5]
 *              [--email-mails 200] [--email-rate 5] [--profile] [--save]
 *   pnpm bench --chart [results.json]   (redraws the SVG from a results JSON, no run)
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { cpus, totalmem, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { randomBytes } from 'node:crypto';
import type { Kafka } from 'kafkajs';
import pg from 'pg';
import { BatchingProducer, createKafka, kafkaSettingsFromEnv } from '@switchboard/kafka';
import { setLogSink } from '@switchboard/runtime';
import type { InboundMessage, TopicNames } from '@switchboard/schema';
import { benchClassifier } from '@switchboard/classifier';
import { TYPESCRIPT_ENTRY_ARGS } from '@switchboard/testkit';
import { measureLatency, POLL_MS, type LatencySummary } from './arrivals.ts';
import { kafkaPassthrough, minimalSinkRate, pgInsertRate } from './baselines.ts';
import { freshTopics, runDatabase, startStage, type Run } from './context.ts';
import { measureEmailToTicket, type EmailResult } from './email.ts';
import { measureRestartPause, type RestartResult } from './restart.ts';
import { writeChart } from './chart.ts';
import { generateMessages } from './messages.ts';
import { formatProfile, summarizeProfile } from './profile.ts';
import {
  BenchTimeoutError,
  layoutCeiling,
  log,
  machineBusySeconds,
  nowMs,
  produceAll,
  repoRoot,
  topicEnd,
  waitForTopicEnd,
  waitUntil,
  type LayoutCeiling,
} from './harness.ts';

export const TARGETS = { e2eRatio: 0.5, e2eToCeiling: 0.5, sinkRatio: 0.5, p99Ms: 250, emailToTicketP99Ms: 2_000 } as const;

export interface BenchOptions {
  messages: number;
  rate: number;
  seconds: number;
  classifierSeconds: number;
  profile: boolean;
  /** Mails of the email arrival → ticket phase, and their mean arrivals per second. */
  emailMails: number;
  emailRate: number;
}

/** CPU time per message of one phase, in microseconds: of each named process, and of the whole machine. */
export type CpuCost = Record<string, number> & { machine: number };

export interface BenchResult {
  date: string;
  machine: { nproc: number; cpu: string; totalMemoryMb: number; node: string; loadAverage1mAtStart: number };
  params: BenchOptions & { seed: number; kafkaBrokers: string; pipeline: string; latencyPollMs: number };
  e2eMsgsPerSec: number;
  kafkaPassthroughMsgsPerSec: number;
  e2eRatio: number;
  /** Two relays (`startRelay`) in a chain, each its own process: two Kafka hops with no work. */
  twoHopMsgsPerSec: number;
  twoHopRatio: number;
  /**
   * The most any pipeline with this layout could reach on this machine: every core busy, and each
   * message costing only what two hops with no work cost, one classification (one core) and its row
   * written by COPY (machine CPU per row). The measured costs are summed; nothing is modelled.
   */
  e2eCeiling: LayoutCeiling;
  /** End to end ÷ the ceiling of the layout, both of this run. */
  e2eToCeiling: number;
  routerMsgsPerSec: number;
  routerRatio: number;
  sinkMsgsPerSec: number;
  /** The faster raw method's rate (the limit). */
  pgInsertRowsPerSec: number;
  pgInsertRowsPerSecByMethod: { values: number; copy: number };
  sinkRatio: number;
  /**
   * The least any sink must do (`minimalSinkRate`): consume the routed topic, parse, COPY the message
   * rows; no validation, tickets or acknowledgements. Its ratio is to the same PostgreSQL limit.
   */
  minimalSink: { msgsPerSec: number; ratio: number; machineMicrosPerMessage: number };
  produceMsgsPerSec: number;
  latencyMs: LatencySummary;
  /** From the same messages, using the row's stored_at (its transaction's start): a lower bound of the commit time. */
  latencyLowerBoundMs: LatencySummary;
  /** Produce → the router's `routedAt` stamp (consumed, validated, classified; before its produce): the router's share. */
  latencyUntilRoutedMs: LatencySummary;
  latencySamples: number;
  /** Email arrival in the mailbox (Dovecot, IDLE) → its ticket in the store (`email.ts`). */
  emailToTicketMs: LatencySummary;
  email: Omit<EmailResult, 'emailToTicketMs'>;
  /** SIGTERM to a stage under load → the first message sent after it in the store (`restart.ts`). */
  restartPauseMs: { router: number; sink: number };
  restart: { router: RestartResult; sink: RestartResult };
  latencyOfferedMsgsPerSec: number;
  latencyMissing: number;
  /** The classifier in a process that loads nothing else (its package's bench script). */
  classifierPerSec: number;
  /** The same on this harness's thread, a process that has kafkajs loaded as the router has (see docs/benchmarks.md). */
  classifierBesideKafkajsPerSec: number;
  peakRssMb: number;
  peakRssMbByProcess: { router: number; sink: number };
  deadLettered: number;
  /** What the sink did in the database in the sink-alone phase: acknowledgements stored, transactions committed. */
  sinkAlone: { inboundRows: number; acknowledgements: number; tickets: number; transactions: number };
  /** kafkajs consumer crashes in the stages (e.g. a member expelled because a batch outlasted its session). */
  consumerCrashes: number;
  /**
   * CPU microseconds per message in each phase, of the Node processes doing the work and of the whole
   * machine (broker and PostgreSQL included). On a CPU-bound machine, throughput ≈ cores × 10^6 ÷ machine.
   */
  cpuMicrosPerMessage: { passthrough: CpuCost; twoHops: CpuCost; router: CpuCost; sink: CpuCost; e2e: CpuCost };
  targets: { e2eRatio: boolean; e2eToCeiling: boolean; sinkRatio: boolean; p99: boolean; emailToTicketP99: boolean };
  profiles?: Record<string, { modules: { name: string; share: number }[]; functions: { name: string; share: number }[]; idleShare: number }>;
}

const SEED = 20261124;
/** A drain that makes no progress for this long has failed (a stage crashed or livelocked). */
const STALL_MS = 120_000;
const round = (n: number, digits = 0) => Number(n.toFixed(digits));

function machineInfo(): BenchResult['machine'] {
  return {
    nproc: Number(execFileSync('nproc').toString().trim()),
    cpu: cpus()[0]?.model ?? 'unknown',
    totalMemoryMb: Math.round(totalmem() / 1024 / 1024),
    node: process.version,
    loadAverage1mAtStart: round(loadavg()[0]!, 2),
  };
}

/**
 * Classifications per CPU-second in a fresh process that loads only the classifier (`pnpm --filter
 * @switchboard/classifier bench`). Measured apart because in a process that has also loaded kafkajs
 * (this harness, the router) the same code runs ~20 % slower, for a reason not found yet.
 */
function classifierAlone(seconds: number): number {
  const output = execFileSync(process.execPath, [...TYPESCRIPT_ENTRY_ARGS, join(repoRoot, 'packages/classifier/scripts/bench.ts'), '--seconds', String(seconds)], {
    cwd: join(repoRoot, 'packages/classifier'),
    stdio: ['ignore', 'pipe', 'inherit'],
  }).toString();
  return (JSON.parse(output.trim().split('\n').pop()!) as { classifierPerSec: number }).classifierPerSec;
}

/** KAFKA_BROKERS, or the local broker of infra/kafka (started if needed; the script prints its address). */
function brokers(): string {
  if (process.env.KAFKA_BROKERS) return process.env.KAFKA_BROKERS;
  return execFileSync('bash', [join(repoRoot, 'infra/kafka/kafka.sh'), 'start'], { stdio: ['ignore', 'pipe', 'inherit'] }).toString().trim().split('\n').pop()!;
}

/**
 * Starts counting CPU time of the given processes and of the machine; the returned function gives the
 * microseconds per message since then.
 */
function meterCpu(processes: Record<string, () => number>): (messages: number) => CpuCost {
  const names = Object.keys(processes);
  const before = names.map((name) => processes[name]!());
  const machineBefore = machineBusySeconds();
  return (messages) => {
    const perMessage = (seconds: number) => round((seconds * 1e6) / messages, 1);
    const cost: Record<string, number> = {};
    names.forEach((name, i) => (cost[name] = perMessage(processes[name]!() - before[i]!)));
    return { ...cost, machine: perMessage(machineBusySeconds() - machineBefore) };
  };
}

const ownCpuSeconds = () => {
  const usage = process.cpuUsage();
  return (usage.user + usage.system) / 1e6;
};

const serialize = (messages: readonly InboundMessage[]) => messages.map((m) => ({ key: m.conversationKey, value: JSON.stringify(m) }));

async function countRows(client: pg.Client): Promise<number> {
  // Only customer messages: the sink also stores its acknowledgements as outbound rows.
  const { rows } = await client.query<{ n: string }>(`SELECT count(*)::text AS n FROM messages WHERE direction = 'inbound'`);
  return Number(rows[0]!.n);
}

/** Waits until the sink's database exists with its tables and holds `expected` message rows. */
async function waitForRows(url: string, expected: number, what: string, timeoutMs: number): Promise<number> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    let seen = 0;
    let lastProgress = { rows: -1, at: nowMs() };
    await waitUntil(
      async () => {
        seen = await countRows(client);
        if (seen !== lastProgress.rows) lastProgress = { rows: seen, at: nowMs() };
        else if (nowMs() - lastProgress.at > STALL_MS) throw new BenchTimeoutError(`${what}: stalled at ${seen}/${expected} rows for ${STALL_MS / 1000} s`);
        return seen >= expected;
      },
      what,
      timeoutMs,
      200,
      () => `${seen}/${expected} rows`,
    );
    return nowMs();
  } finally {
    await client.end();
  }
}

/** Rows and committed transactions of a sink's database (pg_stat_database, flushed by PostgreSQL within a second or so). */
async function databaseWork(url: string): Promise<BenchResult['sinkAlone']> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    await new Promise((r) => setTimeout(r, 1_500));
    const { rows } = await client.query<Record<string, string>>(
      `SELECT (SELECT count(*) FROM messages WHERE direction = 'inbound')::text AS inbound,
              (SELECT count(*) FROM messages WHERE direction = 'outbound')::text AS acks,
              (SELECT count(*) FROM tickets)::text AS tickets,
              (SELECT xact_commit FROM pg_stat_database WHERE datname = current_database())::text AS commits`,
    );
    const row = rows[0]!;
    return { inboundRows: Number(row.inbound), acknowledgements: Number(row.acks), tickets: Number(row.tickets), transactions: Number(row.commits) };
  } finally {
    await client.end();
  }
}

async function deadLettered(kafka: Kafka, topics: TopicNames): Promise<number> {
  return topicEnd(kafka, topics.dlq);
}

export async function runBenchmark(options: BenchOptions): Promise<BenchResult> {
  setLogSink((line) => process.stderr.write(line + '\n'), 'warn');
  const machine = machineInfo();
  const stamp = `${Date.now().toString(36)}-${randomBytes(2).toString('hex')}`;
  const workDir = join(tmpdir(), `switchboard-bench-${stamp}`);
  mkdirSync(workDir, { recursive: true });
  const brokerList = brokers();
  const settings = { ...kafkaSettingsFromEnv({ ...process.env, KAFKA_BROKERS: brokerList }), topicPrefix: '' };
  const kafka = createKafka(settings, '-bench');
  const run: Run = {
    stamp,
    workDir,
    kafka,
    brokers: brokerList,
    databaseBaseUrl: process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test',
    profile: options.profile,
    cleanups: [],
    profiles: new Map(),
    stages: [],
  };
  const interrupted = () => {
    log('interrupted: cleaning up');
    void cleanUp(run).finally(() => process.exit(130));
  };
  process.once('SIGINT', interrupted);
  process.once('SIGTERM', interrupted);
  log(`run ${stamp}: ${options.messages} messages, latency ${options.rate} msg/s for ${options.seconds} s; broker ${brokerList}; logs in ${workDir}`);
  const producer = new BatchingProducer(kafka);
  await producer.connect();
  run.cleanups.push(() => producer.disconnect());
  const drainTimeout = Math.max(300_000, options.messages * 10);

  try {
    const startAt = new Date(Date.now() - 3_600_000);
    const messages = generateMessages({ count: options.messages, seed: SEED, runTag: stamp, startAt });
    const records = serialize(messages);
    log(`generated ${messages.length} messages (${Math.round(records.reduce((s, r) => s + r.value.length, 0) / messages.length)} bytes of JSON on average)`);

    log(`classifier: ${options.classifierSeconds} s in a process of its own, then ${options.classifierSeconds} s on this thread`);
    const classifierPerSec = classifierAlone(options.classifierSeconds);
    const classifierBesideKafkajsPerSec = benchClassifier({ seconds: options.classifierSeconds }).perSec;

    log('baseline: raw PostgreSQL multi-row INSERT and COPY');
    const pgInsert = await pgInsertRate(await runDatabase(run, 'pg'), messages);
    const pgInsertRowsPerSec = pgInsert.best;

    log('baseline: raw kafkajs pass-through');
    const passTopics = await freshTopics(run, 'pass');
    await produceAll(producer, passTopics.inbound, records);
    const passthroughCpu = meterCpu({ passthrough: ownCpuSeconds });
    const kafkaPassthroughMsgsPerSec = await kafkaPassthrough(kafka, passTopics.inbound, passTopics.routed, messages.length, drainTimeout);
    const passthroughCost = passthroughCpu(messages.length);

    log('two Kafka hops, no work: two relays as two processes, inbound → routed → outbound');
    const hopTopics = await freshTopics(run, 'hops');
    await produceAll(producer, hopTopics.inbound, records);
    const secondHop = startStage(run, 'relay', 'hops-2', hopTopics, { BENCH_RELAY_FROM: hopTopics.routed, BENCH_RELAY_TO: hopTopics.outbound });
    await secondHop.ready;
    const firstHop = startStage(run, 'relay', 'hops-1', hopTopics, { BENCH_RELAY_FROM: hopTopics.inbound, BENCH_RELAY_TO: hopTopics.routed });
    const hopsStart = await firstHop.ready;
    const hopsCpu = meterCpu({ first: () => firstHop.cpuSeconds(), second: () => secondHop.cpuSeconds() });
    await waitForTopicEnd(kafka, hopTopics.outbound, messages.length, 'two hops', drainTimeout);
    const twoHopMsgsPerSec = messages.length / ((nowMs() - hopsStart) / 1000);
    const twoHopCost = hopsCpu(messages.length);
    await Promise.all([firstHop.stop(), secondHop.stop()]);

    log('router alone: inbound → routed');
    const stageTopics = await freshTopics(run, 'stage');
    const produceMsgsPerSec = await produceAll(producer, stageTopics.inbound, records);
    const router = startStage(run, 'router', 'stage', stageTopics);
    const routerStart = await router.ready;
    const routerCpu = meterCpu({ router: () => router.cpuSeconds() });
    await waitForTopicEnd(kafka, stageTopics.routed, messages.length, 'router alone', drainTimeout);
    const routerMsgsPerSec = messages.length / ((nowMs() - routerStart) / 1000);
    const routerCost = routerCpu(messages.length);
    await router.stop();

    log('sink alone: routed → store');
    const sinkDb = await runDatabase(run, 'sink');
    const sink = startStage(run, 'sink', 'stage', stageTopics, { DATABASE_URL: sinkDb });
    const sinkStart = await sink.ready;
    const sinkCpu = meterCpu({ sink: () => sink.cpuSeconds() });
    const sinkDone = await waitForRows(sinkDb, messages.length, 'sink alone', drainTimeout);
    const sinkCost = sinkCpu(messages.length);
    const sinkMsgsPerSec = messages.length / ((sinkDone - sinkStart) / 1000);
    await sink.stop();
    const sinkWork = await databaseWork(sinkDb);

    log('minimal sink: routed → message rows by COPY, nothing else');
    const minimalSink = await minimalSinkRate(kafka, stageTopics.routed, await runDatabase(run, 'minimal'), messages.length, drainTimeout);

    log('end to end: inbound → router → routed → sink → store, both running');
    const e2eTopics = await freshTopics(run, 'e2e');
    await produceAll(producer, e2eTopics.inbound, records);
    const e2eDb = await runDatabase(run, 'e2e');
    const e2eSink = startStage(run, 'sink', 'e2e', e2eTopics, { DATABASE_URL: e2eDb });
    await e2eSink.ready;
    const e2eRouter = startStage(run, 'router', 'e2e', e2eTopics);
    const e2eStart = await e2eRouter.ready;
    const e2eCpu = meterCpu({ router: () => e2eRouter.cpuSeconds(), sink: () => e2eSink.cpuSeconds() });
    const e2eDone = await waitForRows(e2eDb, messages.length, 'end to end', drainTimeout);
    const e2eCost = e2eCpu(messages.length);
    const e2eMsgsPerSec = messages.length / ((e2eDone - e2eStart) / 1000);

    log(`latency: ${options.rate} msg/s for ${options.seconds} s through the same (warm) router and sink`);
    const latencyMessages = generateMessages({ count: Math.max(1, Math.round(options.rate * options.seconds)), seed: SEED + 1, runTag: `${stamp}-lat`, startAt: new Date() });
    const latency = await measureLatency(producer, e2eTopics.inbound, e2eDb, latencyMessages, options.rate);

    const peakRssMbByProcess = { router: round(e2eRouter.peakRssMb(), 1), sink: round(e2eSink.peakRssMb(), 1) };

    log(`restart pause: the router, then the sink, restarted under ${options.rate} msg/s`);
    const restartSetup = { run, producer, topics: e2eTopics, databaseUrl: e2eDb, phase: 'e2e', rate: options.rate, seed: SEED + 2 };
    const routerRestart = await measureRestartPause(restartSetup, e2eRouter);
    const sinkRestart = await measureRestartPause({ ...restartSetup, seed: SEED + 3 }, e2eSink, { DATABASE_URL: e2eDb });
    const dead = (await deadLettered(kafka, stageTopics)) + (await deadLettered(kafka, e2eTopics));
    await Promise.all([routerRestart.replacement.stop(), sinkRestart.replacement.stop()]);

    const { emailToTicketMs, ...email } = await measureEmailToTicket(run, { mails: options.emailMails, rate: options.emailRate, seed: SEED + 4 });
    const e2eCeiling = layoutCeiling(machine.nproc, kafkaPassthroughMsgsPerSec, { twoHops: twoHopCost.machine, classify: 1e6 / classifierPerSec, copyRow: pgInsert.copyMachineMicrosPerRow });

    const result: BenchResult = {
      date: new Date().toISOString(),
      machine,
      params: {
        ...options,
        seed: SEED,
        kafkaBrokers: brokerList,
        pipeline: 'router and ticket sink as two child processes (test/bench/stage.ts), as in production',
        latencyPollMs: POLL_MS,
      },
      e2eMsgsPerSec: round(e2eMsgsPerSec),
      kafkaPassthroughMsgsPerSec: round(kafkaPassthroughMsgsPerSec),
      e2eRatio: round(e2eMsgsPerSec / kafkaPassthroughMsgsPerSec, 3),
      twoHopMsgsPerSec: round(twoHopMsgsPerSec),
      twoHopRatio: round(twoHopMsgsPerSec / kafkaPassthroughMsgsPerSec, 3),
      e2eCeiling,
      e2eToCeiling: round(e2eMsgsPerSec / e2eCeiling.msgsPerSec, 3),
      routerMsgsPerSec: round(routerMsgsPerSec),
      routerRatio: round(routerMsgsPerSec / kafkaPassthroughMsgsPerSec, 3),
      sinkMsgsPerSec: round(sinkMsgsPerSec),
      pgInsertRowsPerSec: round(pgInsertRowsPerSec),
      pgInsertRowsPerSecByMethod: { values: round(pgInsert.values), copy: round(pgInsert.copy) },
      sinkRatio: round(sinkMsgsPerSec / pgInsertRowsPerSec, 3),
      minimalSink: {
        msgsPerSec: round(minimalSink.rowsPerSec),
        ratio: round(minimalSink.rowsPerSec / pgInsertRowsPerSec, 3),
        machineMicrosPerMessage: round(minimalSink.machineMicrosPerRow, 1),
      },
      produceMsgsPerSec: round(produceMsgsPerSec),
      latencyMs: latency.latencyMs,
      latencyLowerBoundMs: latency.lowerBoundMs,
      latencyUntilRoutedMs: latency.untilRoutedMs,
      latencySamples: latency.samples,
      emailToTicketMs,
      email,
      restartPauseMs: { router: routerRestart.result.pauseMs, sink: sinkRestart.result.pauseMs },
      restart: { router: routerRestart.result, sink: sinkRestart.result },
      latencyOfferedMsgsPerSec: round(latency.offered, 1),
      latencyMissing: latency.missing,
      classifierPerSec,
      classifierBesideKafkajsPerSec,
      peakRssMb: round(peakRssMbByProcess.router + peakRssMbByProcess.sink, 1),
      peakRssMbByProcess,
      deadLettered: dead,
      sinkAlone: sinkWork,
      consumerCrashes: run.stages.reduce((sum, stage) => sum + stage.crashes, 0),
      cpuMicrosPerMessage: { passthrough: passthroughCost, twoHops: twoHopCost, router: routerCost, sink: sinkCost, e2e: e2eCost },
      targets: {
        e2eRatio: e2eMsgsPerSec / kafkaPassthroughMsgsPerSec >= TARGETS.e2eRatio,
        e2eToCeiling: e2eMsgsPerSec / e2eCeiling.msgsPerSec >= TARGETS.e2eToCeiling,
        sinkRatio: sinkMsgsPerSec / pgInsertRowsPerSec >= TARGETS.sinkRatio,
        p99: latency.missing === 0 && latency.latencyMs.p99 <= TARGETS.p99Ms,
        emailToTicketP99: email.missing === 0 && emailToTicketMs.p99 <= TARGETS.emailToTicketP99Ms,
      },
    };
    if (options.profile) {
      result.profiles = {};
      for (const [name, dir] of run.profiles) {
        const file = readdirSync(dir).find((f) => f.endsWith('.cpuprofile'));
        if (!file) continue;
        const summary = summarizeProfile(join(dir, file), 12);
        log(`profile ${name}: ${join(dir, file)}`);
        process.stderr.write(formatProfile(name, summary) + '\n');
        result.profiles[name] = {
          idleShare: round(summary.idleShare, 3),
          modules: summary.modules.map((m) => ({ name: m.name, share: round(m.share, 3) })),
          functions: summary.functions.map((f) => ({ name: f.name, share: round(f.share, 3) })),
        };
      }
    }
    return result;
  } finally {
    process.off('SIGINT', interrupted);
    process.off('SIGTERM', interrupted);
    await cleanUp(run);
  }
}

/** Stops the stages, deletes the run's topics and drops its databases, newest first. */
async function cleanUp(run: Run): Promise<void> {
  const cleanups = run.cleanups.splice(0).reverse();
  for (const cleanup of cleanups) await cleanup().catch((error: unknown) => log(`cleanup failed: ${String(error)}`));
}

function formatTable(r: BenchResult): string {
  const n = (v: number) => Math.round(v).toLocaleString('en-US');
  const met = (ok: boolean) => (ok ? 'met' : 'NOT met');
  const cpu = (cost: CpuCost) =>
    `${Math.round(cost.machine)} (${Object.entries(cost).filter(([name]) => name !== 'machine').map(([name, micros]) => `${name} ${Math.round(micros)}`).join(', ')})`;
  const rows: [string, string, string, string, string][] = [
    ['figure', 'pipeline', 'baseline (raw limit)', 'ratio', 'target'],
    ['end to end, msgs/s', n(r.e2eMsgsPerSec), `${n(r.kafkaPassthroughMsgsPerSec)} kafkajs pass-through`, r.e2eRatio.toFixed(3), `>= ${TARGETS.e2eRatio}: ${met(r.targets.e2eRatio)}`],
    ['two hops, no work, msgs/s', n(r.twoHopMsgsPerSec), `${n(r.kafkaPassthroughMsgsPerSec)} kafkajs pass-through (one hop)`, r.twoHopRatio.toFixed(3), ''],
    [
      'ceiling of this layout here, msgs/s',
      n(r.e2eCeiling.msgsPerSec),
      `${r.machine.nproc} cores ÷ ${r.e2eCeiling.machineMicrosPerMessage.total} µs (2 hops ${r.e2eCeiling.machineMicrosPerMessage.twoHops} + classify ${r.e2eCeiling.machineMicrosPerMessage.classify} + COPY row ${r.e2eCeiling.machineMicrosPerMessage.copyRow})`,
      r.e2eCeiling.ratio.toFixed(3),
      r.e2eCeiling.ratio < TARGETS.e2eRatio ? `under ${TARGETS.e2eRatio}: the target is out of reach here` : '',
    ],
    ['end to end ÷ the ceiling', n(r.e2eMsgsPerSec), `${n(r.e2eCeiling.msgsPerSec)} ceiling (same run)`, r.e2eToCeiling.toFixed(3), `>= ${TARGETS.e2eToCeiling}: ${met(r.targets.e2eToCeiling)}`],
    ['router alone, msgs/s', n(r.routerMsgsPerSec), `${n(r.kafkaPassthroughMsgsPerSec)} kafkajs pass-through`, r.routerRatio.toFixed(3), ''],
    ['sink alone, msgs/s', n(r.sinkMsgsPerSec), `${n(r.pgInsertRowsPerSec)} PostgreSQL rows/s (COPY ${n(r.pgInsertRowsPerSecByMethod.copy)}, INSERT ${n(r.pgInsertRowsPerSecByMethod.values)})`, r.sinkRatio.toFixed(3), `>= ${TARGETS.sinkRatio}: ${met(r.targets.sinkRatio)}`],
    [
      'minimal sink (consume, parse, COPY), msgs/s',
      n(r.minimalSink.msgsPerSec),
      `${n(r.pgInsertRowsPerSec)} PostgreSQL rows/s; machine CPU ${r.minimalSink.machineMicrosPerMessage} µs per message`,
      r.minimalSink.ratio.toFixed(3),
      '',
    ],
    [
      `latency at ${r.latencyOfferedMsgsPerSec} msg/s, ms`,
      `p50 ${r.latencyMs.p50} p95 ${r.latencyMs.p95} p99 ${r.latencyMs.p99} max ${r.latencyMs.max}`,
      `p99 until routed ${r.latencyUntilRoutedMs.p99}, stored_at lower bound ${r.latencyLowerBoundMs.p99}`,
      '',
      `p99 <= ${TARGETS.p99Ms}: ${met(r.targets.p99)}${r.latencyMissing ? ` (${r.latencyMissing} never arrived)` : ''}`,
    ],
    [
      `email arrival → ticket, ms (${r.email.samples} mails, ${r.email.offeredPerSec}/s)`,
      `p50 ${r.emailToTicketMs.p50} p95 ${r.emailToTicketMs.p95} p99 ${r.emailToTicketMs.p99} max ${r.emailToTicketMs.max}`,
      `p99 until read by the connector ${r.email.untilReadMs.p99}, until routed ${r.email.untilRoutedMs.p99}`,
      '',
      `p99 <= ${TARGETS.emailToTicketP99Ms}: ${met(r.targets.emailToTicketP99)}${r.email.missing ? ` (${r.email.missing} never arrived)` : ''}`,
    ],
    ...(['router', 'sink'] as const).map((stage): [string, string, string, string, string] => [
      `restart pause, ${stage}, ms`,
      String(r.restartPauseMs[stage]),
      `stop ${r.restart[stage].stopMs}, start ${r.restart[stage].startMs} (at ${r.latencyOfferedMsgsPerSec} msg/s)`,
      '',
      '',
    ]),
    ['classifier, per s (1 core)', `${n(r.classifierPerSec)} alone; ${n(r.classifierBesideKafkajsPerSec)} with kafkajs loaded`, `${n(r.routerMsgsPerSec)} router msgs/s`, (r.classifierBesideKafkajsPerSec / r.routerMsgsPerSec).toFixed(1) + 'x', ''],
    [
      'CPU per message, µs (whole machine)',
      `e2e ${cpu(r.cpuMicrosPerMessage.e2e)}`,
      `pass-through ${cpu(r.cpuMicrosPerMessage.passthrough)}`,
      (r.cpuMicrosPerMessage.passthrough.machine / r.cpuMicrosPerMessage.e2e.machine).toFixed(3),
      '',
    ],
    ['CPU per message, µs (stage alone)', `router ${cpu(r.cpuMicrosPerMessage.router)}; sink ${cpu(r.cpuMicrosPerMessage.sink)}`, '', '', ''],
    ['peak RSS, MB', `${r.peakRssMb} (router ${r.peakRssMbByProcess.router} + sink ${r.peakRssMbByProcess.sink})`, '', '', ''],
    ['producer (load generator), msgs/s', n(r.produceMsgsPerSec), '', '', ''],
    ['dead-lettered', String(r.deadLettered), '', '', ''],
    [
      'sink alone: database work',
      `${n(r.sinkAlone.inboundRows)} messages, ${n(r.sinkAlone.tickets)} tickets, ${n(r.sinkAlone.acknowledgements)} acks`,
      `${n(r.sinkAlone.transactions)} transactions committed`,
      '',
      '',
    ],
  ];
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((row) => row[c]!.length)));
  const line = (row: string[]) => row.map((cell, c) => cell.padEnd(widths[c]!)).join('  ').trimEnd();
  const m = r.machine;
  return [
    `Switchboard benchmark ${r.date} — ${m.nproc} cores (${m.cpu}), ${m.totalMemoryMb} MB, Node ${m.node}, load ${m.loadAverage1mAtStart} at start`,
    `${r.params.messages} messages; ${r.params.pipeline}`,
    '',
    line(rows[0]!),
    line(widths.map((w) => '-'.repeat(w))),
    ...rows.slice(1).map(line),
  ].join('\n');
}

async function main(): Promise<void> {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      messages: { type: 'string', default: '100000' },
      rate: { type: 'string', default: '500' },
      seconds: { type: 'string', default: '60' },
      'classifier-seconds': { type: 'string', default: '5' },
      'email-mails': { type: 'string', default: '200' },
      'email-rate': { type: 'string', default: '5' },
      profile: { type: 'boolean', default: false },
      save: { type: 'boolean', default: false },
      chart: { type: 'boolean', default: false },
    },
  });
  const resultsPath = join(repoRoot, 'docs/bench/results.json');
  if (values.chart) {
    const svg = writeChart(positionals[0] ?? resultsPath);
    process.stderr.write(`wrote ${svg}\n`);
    return;
  }
  const positive = (name: string, raw: string) => {
    const value = Number(raw);
    if (!Number.isFinite(value) || value <= 0) throw new Error(`--${name} must be a positive number, got ${raw}`);
    return value;
  };
  const result = await runBenchmark({
    messages: Math.round(positive('messages', values.messages)),
    rate: positive('rate', values.rate),
    seconds: positive('seconds', values.seconds),
    classifierSeconds: positive('classifier-seconds', values['classifier-seconds']),
    emailMails: Math.round(positive('email-mails', values['email-mails'])),
    emailRate: positive('email-rate', values['email-rate']),
    profile: values.profile,
  });
  if (values.save) {
    mkdirSync(join(repoRoot, 'docs/bench'), { recursive: true });
    writeFileSync(resultsPath, JSON.stringify(result, null, 2) + '\n');
    process.stderr.write(`wrote ${resultsPath} and ${writeChart(resultsPath)}\n`);
  }
  process.stdout.write(formatTable(result) + '\n' + JSON.stringify(result) + '\n');
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    process.stderr.write(`bench failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(1);
  },
);
