/**
 * What every phase of one benchmark run shares: the broker, the PostgreSQL server, the run's work
 * directory, and the clean-ups that delete its topics, drop its databases and stop its processes.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Kafka } from 'kafkajs';
import { ensureTopics } from '@switchboard/kafka';
import { topicNames, type TopicNames } from '@switchboard/schema';
import { freshDatabase } from '@switchboard/testkit';
import { StageProcess, type StageLaunch } from './harness.ts';

export interface Run {
  stamp: string;
  workDir: string;
  kafka: Kafka;
  brokers: string;
  databaseBaseUrl: string;
  /** `--profile`: stages run with `node --cpu-prof`. */
  profile: boolean;
  cleanups: (() => Promise<void>)[];
  profiles: Map<string, string>;
  stages: StageProcess[];
}

/** The pipeline's topics under a prefix of this run and phase, deleted at the end of the run. */
export async function freshTopics(run: Run, name: string): Promise<TopicNames> {
  const prefix = `bench-${run.stamp}-${name}.`;
  await ensureTopics(run.kafka, prefix);
  const topics = topicNames(prefix);
  run.cleanups.push(async () => {
    const admin = run.kafka.admin();
    await admin.connect();
    await admin.deleteTopics({ topics: Object.values(topics) }).finally(() => admin.disconnect());
  });
  return topics;
}

/** A database of this run and phase, dropped at the end of the run. */
export async function runDatabase(run: Run, name: string): Promise<string> {
  const db = await freshDatabase(run.databaseBaseUrl, `bench_${run.stamp.replace(/-/g, '_')}_${name}`);
  run.cleanups.push(db.drop);
  return db.url;
}

export const prefixOf = (topics: TopicNames) => topics.inbound.slice(0, topics.inbound.length - 'cs.messages.inbound.v1'.length);

/**
 * A stage (or, with `launch`, another entry point such as a connector's main.ts) as its own process
 * on the phase's topics, in a consumer group of this run and phase: a second process started for the
 * same phase joins the group of the first, as a restarted service does.
 */
export function startStage(run: Run, stage: string, phase: string, topics: TopicNames, env: NodeJS.ProcessEnv = {}, launch?: StageLaunch): StageProcess {
  const flags: string[] = [];
  if (run.profile) {
    const dir = join(run.workDir, 'profiles', `${phase}-${stage}-${run.stages.length}`);
    mkdirSync(dir, { recursive: true });
    run.profiles.set(`${phase}-${stage}`, dir);
    flags.push('--cpu-prof', `--cpu-prof-dir=${dir}`);
  }
  const child = new StageProcess(
    stage,
    {
      KAFKA_BROKERS: run.brokers,
      SWITCHBOARD_TOPIC_PREFIX: prefixOf(topics),
      BENCH_GROUP_SUFFIX: `${run.stamp}-${phase}`,
      LOG_LEVEL: 'info',
      ...env,
    },
    join(run.workDir, `${phase}-${stage}-${run.stages.length}.log`),
    flags,
    launch,
  );
  run.cleanups.push(() => child.stop());
  run.stages.push(child);
  return child;
}
