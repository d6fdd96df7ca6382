import type { Kafka } from 'kafkajs';
import { z } from 'zod';
import type { ChannelRegistry, Connector } from '@switchboard/connector-sdk';
import { HttpError, json, jsonBody, type HttpRequest, type HttpResponse, type HttpRoute } from '@switchboard/http';
import { createLogger, type Logger } from '@switchboard/runtime';
import type { TopicNames } from '@switchboard/schema';
import type { TicketStore } from '@switchboard/ticket-store';
import { ConsoleAssets, CONSOLE_PATH } from './assets.ts';
import { channelHealth } from './channels.ts';
import { DeadLetters, type ReplayOutcome } from './dead-letters.ts';
import { CounterSampler, KafkaReader, pipelineStats, type LagSource } from './pipeline.ts';

export const CONSOLE_API = '/api/v1/console';

/** What the gateway hands the console; everything else the page reads through the gateway's read API. */
export interface ConsoleDeps {
  store: TicketStore;
  kafka: Kafka;
  /** This instance's topic names (under its prefix). */
  topics: TopicNames;
  /**
   * Checks that the request's person may do `permission` (throws the HTTP error otherwise) and gives a way
   * to audit what they do: the gateway's sign-in and roles, without the console depending on them.
   */
  authorize(request: HttpRequest, permission: 'pipeline.read' | 'channels.manage'): Promise<{ audit(action: string, target?: string, details?: Record<string, unknown>): Promise<void> }>;
  /** The registered channels: labels and icons of the page. */
  channels: ChannelRegistry;
  /** The running connectors, read on each request (their `health()` feeds the channel panel). */
  connectors: () => readonly Connector[];
  /** Consumer groups and the topic each reads, for the lag panel (the gateway's lag sources). */
  lagSources: () => readonly LagSource[];
  logger?: Logger;
  /** How often the message counters are sampled for rates; default 2 s. */
  sampleIntervalMs?: number;
}

export interface OperatorConsole {
  routes: HttpRoute[];
  /** Stops the counter sampler's timer. */
  close(): void;
}

const SAMPLES_KEPT = 90;
const KAFKA_CACHE_MS = 1_500;
const DLQ_LIST_MAX_AGE_MS = 30_000;
const DLQ_DEFAULT_LIMIT = 20;

const DlqQuery = z.object({ limit: z.coerce.number().int().min(1).max(500).default(DLQ_DEFAULT_LIMIT) }).strict();
const ReplayBody = z.object({ id: z.string().min(1).max(1_000) }).strict();

function parse<S extends z.ZodType>(schema: S, value: unknown, what: string): z.infer<S> {
  const result = schema.safeParse(value);
  if (!result.success) throw new HttpError(400, `invalid ${what}: ${result.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ')}`);
  return result.data;
}

/**
 * The operator console: the page at /console (public: it holds no data; people sign in on it) and its
 * endpoints under /api/v1/console, for signed-in people whose role allows: pipeline stats, channel
 * health, dead letters (all that may read the pipeline) and their replay (admins).
 */
export function createConsole(deps: ConsoleDeps): OperatorConsole {
  const logger = deps.logger ?? createLogger('console');
  const assets = new ConsoleAssets(logger, deps.channels);
  const sampler = new CounterSampler(deps.topics, deps.sampleIntervalMs ?? 2_000, SAMPLES_KEPT);
  const reader = new KafkaReader(deps.kafka, deps.topics.dlq, deps.lagSources, KAFKA_CACHE_MS);
  const deadLetters = new DeadLetters(deps.kafka, deps.topics, DLQ_LIST_MAX_AGE_MS);

  const guarded =
    (handle: (request: HttpRequest) => Promise<HttpResponse>) =>
    async (request: HttpRequest): Promise<HttpResponse> => {
      await deps.authorize(request, 'pipeline.read');
      return handle(request);
    };

  const routes: HttpRoute[] = [
    ...assets.routes(),
    {
      method: 'GET',
      path: `${CONSOLE_API}/pipeline`,
      handle: guarded(async () => json(200, await pipelineStats(sampler, reader, deps.store, logger))),
    },
    {
      method: 'GET',
      path: `${CONSOLE_API}/channels`,
      handle: guarded(async () => json(200, { channels: channelHealth(deps.connectors()) })),
    },
    {
      method: 'GET',
      path: `${CONSOLE_API}/dlq`,
      handle: guarded(async (request) => {
        const { limit } = parse(DlqQuery, Object.fromEntries(request.query), 'query');
        const { dlq } = await reader.read();
        try {
          const entries = await deadLetters.list(dlq.size);
          return json(200, { topic: dlq.topic, size: dlq.size, total: entries.length, entries: entries.slice(0, limit) });
        } catch (error) {
          logger.error('dead letters not read', { error });
          throw new HttpError(503, 'the dead-letter topic could not be read; try again');
        }
      }),
    },
    {
      method: 'POST',
      path: `${CONSOLE_API}/dlq/replay`,
      maxBodyBytes: 4 * 1024,
      handle: async (request) => {
        const { audit } = await deps.authorize(request, 'channels.manage');
        const { id } = parse(ReplayBody, jsonBody(request), 'body');
        let result: ReplayOutcome;
        try {
          result = await deadLetters.replay(id);
        } catch (error) {
          logger.error('dead letter not replayed', { id, error });
          throw new HttpError(503, 'the dead letter could not be replayed; try again');
        } finally {
          reader.invalidate();
        }
        logger.info('dead letter replay', { ...result });
        await audit('dlq.replay', id, { outcome: result.outcome });
        if (result.outcome === 'unknown') throw new HttpError(404, `no dead letter with id ${id}`);
        if (result.outcome === 'not-replayable') return json(409, { ...result, error: result.reason });
        return json(200, result);
      },
    },
  ];
  return { routes, close: () => sampler.stop() };
}

export { CONSOLE_PATH };
