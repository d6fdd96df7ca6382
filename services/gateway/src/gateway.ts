import { join } from 'node:path';
import type { Kafka } from 'kafkajs';
import { consumerGroup, topicNames, type TopicNames } from '@switchboard/schema';
import { BatchingProducer, CheckpointStore, createKafka, ensureTopics } from '@switchboard/kafka';
import { ChannelRegistry, discoverConnectorModules, hostConnector, type Connector } from '@switchboard/connector-sdk';
import { HttpServer } from '@switchboard/http';
import { openDatabase } from '@switchboard/db';
import { openTicketStore, type TicketStore } from '@switchboard/ticket-store';
import { createLogger, type Logger } from '@switchboard/runtime';
import { createConsole, type ConsoleDeps } from '@switchboard/console';
import type { TeamStore } from '@switchboard/team';
import { REPO_ROOT, type GatewayConfig } from './config.ts';
import { connectorsFromModules } from './connectors.ts';
import { healthRoutes, registerPipelineMetrics, type LagSource } from './health.ts';
import { startPeople, type People } from './people/index.ts';
import { readApiRoutes } from './read-api.ts';
import { ticketWorkRoutes } from './ticket-work.ts';
import { correctionsApiRoutes } from './corrections-api.ts';
import { ReplyQueue } from './replies.ts';
import { TicketWallet } from './wallet.ts';
import { walletRoutes } from './wallet-routes.ts';
import { HttpWalletLedger, type WalletLedger } from '@switchboard/wallet';

/** What the gateway opened, for the stages that run beside it in one process (the all-in-one's router and sink). */
export interface SharedResources {
  kafka: Kafka;
  producer: BatchingProducer;
  topics: TopicNames;
  store: TicketStore;
  channels: ChannelRegistry;
  /** Every connector that will run, started or not yet. */
  connectors: readonly Connector[];
  logger: Logger;
}

/** Something started beside the gateway, stopped before the store and the producer. */
export interface GatewayStage {
  what: string;
  stop(): Promise<void> | void;
  /** Consumer groups it runs, for `/metrics` and the console's lag panel. */
  lagSources?: LagSource[];
}

export interface StartOptions {
  /** The banner's first words; default "switchboard gateway". */
  title?: string;
  /** Started after the store and before the connectors (the all-in-one's router and ticket sink). */
  stages?: (shared: SharedResources) => Promise<GatewayStage[]>;
  /** Names of the connector modules to start from the environment; default: every one found. */
  modules?: readonly string[];
  /** Connectors built by the caller, run besides those of the modules (tests). */
  connectors?: Connector[];
  /** Where services/ lives, for connector discovery; default: this repository. */
  repoRoot?: string;
  /** How long someone who closed the console still counts as online (default two minutes; tests shorten it). */
  presenceGraceMs?: number;
  logger?: Logger;
  /** The clock reply windows are measured by (tests); default the wall clock. */
  now?: () => Date;
}

function ticketWallet(config: GatewayConfig, logger: Logger): TicketWallet | undefined {
  if (!config.wallet) return undefined;
  const ledger: WalletLedger = new HttpWalletLedger({ base: config.wallet.base, token: config.wallet.token });
  return new TicketWallet(ledger, config.wallet, logger.child('wallet'));
}

export interface RunningGateway {
  /** Base URL of the HTTP server, e.g. http://127.0.0.1:8080. */
  url: string;
  apiToken: string;
  kafka: Kafka;
  topics: TopicNames;
  store: TicketStore;
  team: TeamStore;
  channels: ChannelRegistry;
  /** Every running connector. */
  connectors: readonly Connector[];
  /** The ready banner's lines (the token only when it was generated). */
  banner(): string;
  /** Stops everything in reverse order of start; safe to call twice. */
  stop(): Promise<void>;
}

/**
 * Starts the gateway in this process: topics, one producer, the ticket store, the caller's stages, every
 * configured connector, and one HTTP server for the read API, health, the console and every connector's
 * routes. When any step fails, what already started is stopped again.
 */
export async function startGateway(config: GatewayConfig, options: StartOptions = {}): Promise<RunningGateway> {
  const logger = options.logger ?? createLogger('gateway');
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
    const found = await discoverConnectorModules(options.repoRoot ?? REPO_ROOT);
    const modules = options.modules ? found.filter((m) => options.modules!.includes(m.name)) : found;
    const channels = ChannelRegistry.fromManifests(found);
    const given = options.connectors ?? [];
    const connectors = [...given, ...(await connectorsFromModules(modules, config.env, given.map((c) => c.name)))];

    const kafka = createKafka(config.kafka, '-gateway');
    const topics = topicNames(config.kafka.topicPrefix);
    await ensureTopics(kafka, config.kafka.topicPrefix);
    const producer = new BatchingProducer(kafka);
    await producer.connect();
    stack.push({ what: 'producer', stop: () => producer.disconnect() });

    // One database for the ticket store and the team: PGlite belongs to one process, and one pool is enough.
    const db = await openDatabase(config.databaseUrl ? { url: config.databaseUrl } : { dataDir: join(config.dataDir, 'pglite') }, logger.child('store'));
    stack.push({ what: 'database', stop: () => db.close() });
    const store = await openTicketStore({ db, reopenWindowHours: config.reopenWindowHours, logger: logger.child('store') });
    let listening = '';
    const baseUrl = () => config.people.publicUrl ?? listening;
    const people = await startPeople({ db, store, config: config.people, baseUrl, ...(options.presenceGraceMs !== undefined ? { presenceGraceMs: options.presenceGraceMs } : {}), logger: logger.child('people') });
    stack.push({ what: 'people', stop: () => people.stop() });

    const lagSources: LagSource[] = [];
    for (const stage of (await options.stages?.({ kafka, producer, topics, store, channels, connectors, logger })) ?? []) {
      stack.push(stage);
      lagSources.push(...(stage.lagSources ?? []));
    }

    const checkpoints = await CheckpointStore.load(kafka, producer, topics.checkpoints);
    // Connectors keep their files (attachment bytes) here; the attachment route serves them from here.
    const connectorsDir = join(config.dataDir, 'connectors');
    const started: Connector[] = [];
    for (const connector of connectors) {
      const hosted = await hostConnector(connector, { kafka, producer, topics, checkpoints, dataDir: connectorsDir, logger: logger.child(`connector.${connector.name}`) });
      stack.push({ what: `connector ${connector.name}`, stop: () => hosted.stop() });
      started.push(connector);
      if (connector.send) lagSources.push({ group: consumerGroup(topics, `switchboard-outbound-${connector.name}`), topic: topics.outbound });
    }
    stack.push({ what: 'metrics', stop: registerPipelineMetrics(kafka, () => lagSources, topics.dlq, logger.child('metrics')) });

    const http = new HttpServer({ host: config.host, port: config.port, logger: logger.child('http') });
    const health = healthRoutes({ kafka, store, connectors: () => started, readyRequiresChannels: config.readyRequiresChannels, logger });
    stack.push({ what: 'readiness probe', stop: () => health.close() });
    http.mount(health.routes);
    http.mount(people.routes);
    const wallet = ticketWallet(config, logger);
    const apiLogger = logger.child('api');
    const now = options.now ?? (() => new Date());
    http.mount(readApiRoutes({ store, producer, topics, channels, auth: people.auth, access: people.access, team: people.team, sla: config.people.sla, logger: apiLogger, now, ...(wallet ? { wallet } : {}) }));
    const replies = new ReplyQueue({ store, producer, topics, channels, auth: people.auth, access: people.access, team: people.team, logger: apiLogger, now });
    http.mount(walletRoutes({ store, auth: people.auth, access: people.access, team: people.team, replies, ...(wallet ? { wallet } : {}), logger: logger.child('wallet') }));
    http.mount(correctionsApiRoutes({ store, auth: people.auth, team: people.team }));
    http.mount(ticketWorkRoutes({ store, auth: people.auth, access: people.access, team: people.team, attachmentsDir: connectorsDir }));
    // Same origin as the read API: the console's page calls the ticket routes directly.
    const operatorConsole = createConsole({ store, kafka, topics, channels, authorize: consoleAuthorizer(people), connectors: () => started, lagSources: () => lagSources, logger: logger.child('console') });
    stack.push({ what: 'console', stop: () => operatorConsole.close() });
    http.mount(operatorConsole.routes);
    for (const connector of started) http.mount(connector.routes, connector.upgrades);
    const url = await http.listen();
    listening = url;
    stack.push({ what: 'http', stop: () => http.close() });

    const banner = () => bannerLines(options.title ?? 'switchboard gateway', url, started, config, people.setupToken ? `${baseUrl()}/console#/setup/${people.setupToken}` : undefined).join('\n');
    return { url, apiToken: config.apiToken, kafka, topics, store, team: people.team, channels, connectors: started, banner, stop: stopAll };
  } catch (error) {
    await stopAll();
    throw error;
  }
}

/** The console's panels ask the same questions of the signed-in person as the read API does, and audit the same way. */
function consoleAuthorizer(people: People): ConsoleDeps['authorize'] {
  return async (request, permission) => {
    const principal = await people.auth.require(request, permission);
    const actor = people.auth.actor(request, principal);
    return { audit: (action, target, details) => people.team.audit.record(actor, action, target, details) };
  };
}

function bannerLines(title: string, url: string, started: readonly Connector[], config: GatewayConfig, setupLink: string | undefined): string[] {
  const pad = (label: string) => `  ${label.padEnd(11)} `;
  const pages = started.flatMap((c) => c.pages ?? []);
  return [
    `${title} ready`,
    ...pages.filter((page) => page.method === 'POST').map((page) => `${pad(page.name)}POST ${url}${page.path}`),
    `${pad('tickets')}GET  ${url}/api/v1/tickets`,
    `${pad('console')}${url}/console`,
    ...pages.filter((page) => page.method !== 'POST').map((page) => `${pad(page.name)}${url}${page.path}`),
    `${pad('health')}${url}/healthz  ${url}/readyz`,
    `${pad('metrics')}${url}/metrics`,
    `${pad('channels')}${started.map((c) => c.name).join(', ')}`,
    config.apiTokenGenerated
      ? `${pad('API token')}${config.apiToken}   (generated for this run; set SWITCHBOARD_API_TOKEN to choose one)`
      : `${pad('API token')}from SWITCHBOARD_API_TOKEN`,
    ...(setupLink ? [`${pad('setup')}${setupLink}   (one-time link: create the first admin; or set SWITCHBOARD_ADMIN_EMAIL and SWITCHBOARD_ADMIN_PASSWORD)`] : []),
  ];
}
