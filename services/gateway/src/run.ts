import { ConnectorModuleError, discoverConnectorModules } from '@switchboard/connector-sdk';
import { setKafkaStopDeadline } from '@switchboard/kafka';
import { ConfigError, createLogger, stopOnSignals, stopWhenScriptRunnerExits } from '@switchboard/runtime';
import { REPO_ROOT, type GatewayConfig } from './config.ts';
import { connectorsFromModules, DuplicateConnectorError, UndeclaredChannelError } from './connectors.ts';
import { startGateway, type StartOptions } from './gateway.ts';
import { describeLocalKafka, LocalKafkaError, startLocalKafka } from './local-kafka.ts';

export interface CommandLine<C extends GatewayConfig> {
  /** The logger's component and the banner's first words: `switchboard`, `switchboard gateway`. */
  title: string;
  /** Validates the whole environment of the process (every variable it will read) into its config. */
  load(env: NodeJS.ProcessEnv): C;
  options?(config: C): StartOptions;
}

/**
 * A stop completes within STOP_GRACE_MS whatever the broker does: Kafka gets KAFKA_STOP_MS of it
 * (kafkajs alone would retry a broker that went away for up to a minute), the rest is for the store
 * and the HTTP server to close.
 */
const STOP_GRACE_MS = 9_000;
const KAFKA_STOP_MS = 5_000;

/**
 * The command-line entry of `pnpm start` (the all-in-one) and of the gateway alone: validate the
 * environment, find or start Kafka, start, print the ready banner, stop cleanly on SIGINT/SIGTERM.
 */
export async function runFromCommandLine<C extends GatewayConfig>(command: CommandLine<C>): Promise<void> {
  const logger = createLogger(command.title.replace(/\s+/g, '-'));
  let config: C | undefined;
  try {
    config = command.load(process.env);
    // Every channel's configuration is checked before anything slow (a local broker) starts.
    const connectors = await connectorsFromModules(await discoverConnectorModules(REPO_ROOT), config.env);
    let localKafka: string | undefined;
    if (!process.env.KAFKA_BROKERS?.trim()) {
      logger.info('KAFKA_BROKERS is not set: starting the local broker of infra/kafka');
      const local = await startLocalKafka(REPO_ROOT);
      localKafka = describeLocalKafka(local);
      logger.info(`Kafka at ${localKafka}`);
      config.kafka.brokers = [local.address];
    }
    const running = await startGateway(config, { title: command.title, logger, ...command.options?.(config), modules: [], connectors });
    stopOnSignals(
      () => {
        setKafkaStopDeadline(KAFKA_STOP_MS);
        return running.stop();
      },
      logger,
      STOP_GRACE_MS,
    );
    stopWhenScriptRunnerExits(logger);
    process.stdout.write(`${running.banner()}\n${localKafka ? `  Kafka       ${localKafka}\n` : ''}`);
  } catch (error) {
    const explained = explain(error, config);
    if (explained) process.stderr.write(`${explained}\n`);
    else logger.error('could not start', { error });
    process.exit(1);
  }
}

const EXPLAINED = [ConfigError, LocalKafkaError, DuplicateConnectorError, UndeclaredChannelError, ConnectorModuleError];

/** The operator's next step for the failures people meet at start, or undefined for the others. */
function explain(error: unknown, config: GatewayConfig | undefined): string | undefined {
  if (EXPLAINED.some((kind) => error instanceof kind)) return (error as Error).message;
  const e = error as { name?: string; code?: string; message?: string };
  if (e.code === 'EADDRINUSE' || e.code === 'EACCES') {
    return `cannot listen on ${config?.host}:${config?.port} (${e.code}): set PORT (and HOST) to a free address`;
  }
  if (typeof e.name === 'string' && e.name.startsWith('KafkaJS')) {
    return `cannot use Kafka at ${config?.kafka.brokers.join(',')}: ${e.message}\nCheck KAFKA_BROKERS (unset: the local broker of infra/kafka is started).`;
  }
  if (config?.databaseUrl && (e.code === 'ECONNREFUSED' || e.code === 'ENOTFOUND' || e.code === '28P01' || e.code === '3D000')) {
    return `cannot open the ticket store at DATABASE_URL: ${e.message}\nCheck DATABASE_URL (unset: embedded PGlite under SWITCHBOARD_DATA_DIR).`;
  }
  return undefined;
}
