import type { Kafka } from 'kafkajs';
import { createKafka, kafkaSettingsFromEnv } from '@switchboard/kafka';
import { TOPIC_SPECS, topicNames, type TopicNames, type TopicRole } from '@switchboard/schema';
import { UsageError } from './args.ts';
import { defaultReport } from './progress.ts';

export interface CliContext {
  kafka: Kafka;
  topics: TopicNames;
  out: (line: string) => void;
  err: (line: string) => void;
}

export function createCliContext(env: NodeJS.ProcessEnv = process.env, out = (l: string) => console.log(l), err = defaultReport): CliContext {
  const settings = kafkaSettingsFromEnv(env);
  return { kafka: createKafka(settings, '-cli'), topics: topicNames(settings.topicPrefix), out, err };
}

/** A topic given as its role (`routed`) or its full name (`cs.messages.routed.v1`). */
export function resolveTopic(ctx: CliContext, given: string | undefined): string {
  if (!given) throw new UsageError('a topic is required');
  if (given in TOPIC_SPECS) return ctx.topics[given as TopicRole];
  const known = Object.values(ctx.topics);
  if (known.includes(given)) return given;
  const byBareName = (Object.keys(TOPIC_SPECS) as TopicRole[]).find((role) => TOPIC_SPECS[role].name === given);
  if (byBareName) return ctx.topics[byBareName];
  throw new UsageError(`unknown topic "${given}"; one of: ${(Object.keys(TOPIC_SPECS) as string[]).join(', ')} or their full names`);
}
