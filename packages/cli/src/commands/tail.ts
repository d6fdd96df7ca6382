import { randomUUID } from 'node:crypto';
import type { KafkaMessage } from 'kafkajs';
import type { CliContext } from '../context.ts';

export const tailHelp = `switchboard tail <topic> [--category c] [--channel ch] [--from-beginning] [--json] [--limit n]
  Prints records of a topic as they arrive (Ctrl-C stops). <topic> is a role (inbound, routed, outbound,
  delivery, dlq, checkpoints) or a full topic name. Filters read the record headers, then the value.`;

export interface TailOptions {
  category?: string;
  channel?: string;
  fromBeginning: boolean;
  json: boolean;
  limit?: number;
  signal?: AbortSignal;
}

function field(message: KafkaMessage, value: Record<string, unknown> | undefined, name: string): string | undefined {
  const header = message.headers?.[name];
  if (header !== undefined) return String(header);
  const v = value?.[name];
  return typeof v === 'string' ? v : undefined;
}

function pretty(topic: string, message: KafkaMessage, value: Record<string, unknown> | undefined): string {
  if (!value) return `${topic} ${message.offset} (not JSON) ${message.value?.toString().slice(0, 200)}`;
  const text = typeof value.text === 'string' ? value.text.replace(/\s+/g, ' ').slice(0, 120) : typeof value.reason === 'string' ? value.reason : '';
  const bits = [value.channel, value.category, value.priority, value.language, value.status].filter((b) => typeof b === 'string');
  return `${String(value.sentAt ?? value.failedAt ?? value.at ?? '').slice(0, 19)} ${bits.join('/')} ${String(value.id ?? value.outboundId ?? '')} ${text}`.trim();
}

export async function tailCommand(ctx: CliContext, topic: string, options: TailOptions): Promise<number> {
  const consumer = ctx.kafka.consumer({ groupId: `reader-tail-${randomUUID()}`, maxWaitTimeInMs: 200 });
  let shown = 0;
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: options.fromBeginning });
  await new Promise<void>((resolve, reject) => {
    const finish = () => resolve();
    options.signal?.addEventListener('abort', finish, { once: true });
    process.once('SIGINT', finish);
    consumer
      .run({
        autoCommit: false,
        eachMessage: async ({ message }) => {
          let value: Record<string, unknown> | undefined;
          try {
            value = JSON.parse(message.value?.toString() ?? '') as Record<string, unknown>;
          } catch {
            value = undefined;
          }
          if (options.category && field(message, value, 'category') !== options.category) return;
          if (options.channel && field(message, value, 'channel') !== options.channel) return;
          ctx.out(options.json ? JSON.stringify(value ?? { raw: message.value?.toString() }) : pretty(topic, message, value));
          shown++;
          if (options.limit !== undefined && shown >= options.limit) resolve();
        },
      })
      .catch(reject);
  });
  await consumer.disconnect();
  return shown;
}
