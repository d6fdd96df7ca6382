import { join } from 'node:path';
import type { Kafka } from 'kafkajs';
import { consumerGroup, topicNames, type Channel, type TopicNames } from '@switchboard/schema';
import { BatchingProducer, CheckpointStore, createKafka, ensureTopics } from '@switchboard/kafka';
import { hostConnector, type Connector } from '@switchboard/connector-sdk';
import { HttpServer } from '@switchboard/http';
import { openTicketStore, type TicketStore } from '@switchboard/ticket-store';
import { startRouter } from '@switchboard/router';
import { DEFAULT_DELIVERY_GROUP, DEFAULT_SINK_GROUP, startTicketSink, ticketSinkConfigFromEnv } from '@switchboard/ticket-sink';
import { createLogger, type Logger } from '@switchboard/runtime';
import { createApiChannel } from './api-channel.ts';
import { REPO_ROOT, type SwitchboardConfig } from './config.ts';
import { connectorsFromEnv } from './connectors.ts';
import { createConsole } from '@switchboard/console';
import { healthRoutes, registerPipelineMetrics, type LagSource } from './health.ts';
import { readApiRoutes } from './read-api.ts';

export const ROUTER_GROUP = 'switchboard-router';

/**
 * Consumer groups under the topic prefix too: runs that share a broker with different prefixes must
 * not join one group (production has no prefix, so the names are the plain ones).
 */
export function consumerGroups(topicPrefix: string): { router: string; sink: string; delivery: string } {
  return { router: topicPrefix + ROUTER_GROUP, sink: topicPrefix + DEFAULT_SINK_GROUP, delivery: topicPrefix + DEFAULT_DELIVERY_GROUP };
}

export interface StartOptions {
  /**
   * Run the router and the ticket sink in this process too (`pnpm start`). False: the gateway alone
   * (HTTP, API channel, read API, connectors), with the router and sink running as their own services.
   */
  pipeline?: boolean;
  /** Connectors to run besides the API channel; default: every channel configured in `config.env`. */
  connectors?: Connector[];
  /** Where services/ lives, for connector discovery; default: this repository. */
  repoRoot?: string;
  logger?: Logger;
}

export interface RunningSwitchboard {
  /** Base URL of the HTTP server, e.g. http://127.0.0.1:8080. */
  url: string;
  apiToken: string;
  kafka: Kafka;
  topics: TopicNames;
  store: TicketStore;
  /** Every running connector, the API channel first. */
  connectors: readonly Connector[];
  /** The ready banner's lines (the token only when it was generated). */
  banner(): string;
  /** Stops everything in reverse order of start; safe to call twice. */
  stop(): Promise<void>;
}

/**
 * Starts Switchboard in this process: topics, one producer, the ticket store, the router and the
 * ticket sink (unless `pipeline: false`), the API channel and every configured connector, and one
 * HTTP server for all their routes. When any step fails, what already started is stopped again.
 */
export async function startSwitchboard(config: SwitchboardConfig, options: StartOptions = {}): Promise<RunningSwitchboard> {
  const pipeline = options.pipeline ?? true;
  const logger = options.logger ?? createLogger(pipeline ? 'switchboard' : 'gateway');
  const stack: { what: string; stop: () => Promise<void> | void }[] = [];
  const stopAll = async () => {
    for (const { what, stop } of stack.splice(0).reverse()) {
      try {
        await stop();
      } catch (error) {
        logger.error('error while stopping', { what, error });
      }
    }
  };

  try {
    // Channels first: a channel's bad configuration fails the start before anything slow has begun.
    const apiChannel = createApiChannel({ token: config.apiToken, maxBodyBytes: config.apiMaxBodyBytes });
    const configured = options.connectors ?? (await connectorsFromEnv(config.env, options.repoRoot ?? REPO_ROOT, [apiChannel.name]));
    const connectors: Connector[] = [apiChannel, ...configured];
    const sinkConfig = ticketSinkConfigFromEnv(config.env);

    const kafka = createKafka(config.kafka, pipeline ? '' : '-gateway');
    const topics = topicNames(config.kafka.topicPrefix);
    const groups = consumerGroups(config.kafka.topicPrefix);
    await ensureTopics(kafka, config.kafka.topicPrefix);
    const producer = new BatchingProducer(kafka);
    await producer.connect();
    stack.push({ what: 'producer', stop: () => producer.disconnect() });

    const store = await openTicketStore({
      ...(config.databaseUrl ? { url: config.databaseUrl } : { dataDir: join(config.dataDir, 'pglite') }),
      reopenWindowHours: sinkConfig.reopenWindowHours,
      logger: logger.child('store'),
    });
    stack.push({ what: 'store', stop: () => store.close() });

    if (pipeline) {
      // Imported here: the gateway alone never loads the model.
      const { loadClassifier } = await import('@switchboard/classifier');
      const classifier = loadClassifier(config.classifierModel);
      const router = await startRouter({ kafka, producer, topics, classifier, groupId: groups.router, logger: logger.child('router') });
      stack.push({ what: 'router', stop: () => router.stop() });
      const sink = await startTicketSink({
        kafka,
        producer,
        topics,
        store,
        groupId: groups.sink,
        deliveryGroupId: groups.delivery,
        ackChannels: ackChannelsOf(sinkConfig.ackChannels, connectors),
        ackMaxAgeHours: sinkConfig.ackMaxAgeHours,
        logger: logger.child('ticket-sink'),
      });
      stack.push({ what: 'ticket-sink', stop: () => sink.stop() });
    }

    const checkpoints = await CheckpointStore.load(kafka, producer, topics.checkpoints);
    const started: Connector[] = [];
    for (const connector of connectors) {
      const hosted = await hostConnector(connector, {
        kafka,
        producer,
        topics,
        checkpoints,
        dataDir: join(config.dataDir, 'connectors'),
        logger: logger.child(`connector.${connector.name}`),
      });
      stack.push({ what: `connector ${connector.name}`, stop: () => hosted.stop() });
      started.push(connector);
    }

    const lagSources: LagSource[] = [
      { group: groups.router, topic: topics.inbound },
      { group: groups.sink, topic: topics.routed },
      { group: groups.delivery, topic: topics.delivery },
      ...started.filter((c) => c.send).map((c) => ({ group: consumerGroup(topics, `switchboard-outbound-${c.name}`), topic: topics.outbound })),
    ];
    stack.push({ what: 'metrics', stop: registerPipelineMetrics(kafka, () => lagSources, topics.dlq, logger.child('metrics')) });

    const http = new HttpServer({ host: config.host, port: config.port, logger: logger.child('http') });
    const health = healthRoutes({ kafka, store, connectors: () => started, readyRequiresChannels: config.readyRequiresChannels, logger });
    stack.push({ what: 'readiness probe', stop: () => health.close() });
    http.mount(health.routes);
    http.mount(readApiRoutes({ store, producer, topics, token: config.apiToken, logger: logger.child('api') }));
    // Same origin as the read API: the console's page calls the ticket routes directly.
    const operatorConsole = createConsole({ store, kafka, topics, apiToken: config.apiToken, connectors: () => started, lagSources: () => lagSources, logger: logger.child('console') });
    stack.push({ what: 'console', stop: () => operatorConsole.close() });
    http.mount(operatorConsole.routes);
    for (const connector of started) http.mount(connector.routes, connector.upgrades);
    const url = await http.listen();
    stack.push({ what: 'http', stop: () => http.close() });

    const webchat = started.some((c) => c.channels.includes('webchat'));
    const banner = () =>
      [
        pipeline ? 'switchboard ready' : 'switchboard gateway ready',
        `  API         POST ${url}/api/v1/messages`,
        `  tickets     GET  ${url}/api/v1/tickets`,
        `  console     ${url}/console`,
        ...(webchat ? [`  web chat    ${url}/chat`] : []),
        `  health      ${url}/healthz  ${url}/readyz`,
        `  metrics     ${url}/metrics`,
        `  channels    ${started.map((c) => c.name).join(', ')}`,
        config.apiTokenGenerated
          ? `  API token   ${config.apiToken}   (generated for this run; set SWITCHBOARD_API_TOKEN to choose one)`
          : '  API token   from SWITCHBOARD_API_TOKEN',
      ].join('\n');

    return { url, apiToken: config.apiToken, kafka, topics, store, connectors: started, banner, stop: stopAll };
  } catch (error) {
    await stopAll();
    throw error;
  }
}

/** Acknowledge only on channels that have a running connector to send the acknowledgement. */
function ackChannelsOf(wanted: readonly Channel[], connectors: readonly Connector[]): Channel[] {
  const sending = new Set(connectors.filter((c) => c.send).flatMap((c) => c.channels));
  return wanted.filter((channel) => sending.has(channel));
}
