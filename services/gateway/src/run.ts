import { setKafkaStopDeadline } from '@switchboard/kafka';
import { ConfigError, createLogger, stopOnSignals, stopWhenScriptRunnerExits } from '@switchboard/runtime';
import { loadSwitchboardConfig, REPO_ROOT, type SwitchboardConfig } from './config.ts';
import { DuplicateConnectorError } from './connectors.ts';
import { describeLocalKafka, LocalKafkaError, startLocalKafka } from './local-kafka.ts';
import { startSwitchboard } from './switchboard.ts';

/**
 * A stop completes within STOP_GRACE_MS whatever the broker does: Kafka gets KAFKA_STOP_MS of it
 * (kafkajs alone would retry a broker that went away for up to a minute), the rest is for the store
 * and the HTTP server to close.
 */
const STOP_GRACE_MS = 9_000;
const KAFKA_STOP_MS = 5_000;

/**
 * The command-line entry of `pnpm start` (pipeline) and of the gateway alone: validate the
 * environment, find or start Kafka, start, print the ready banner, stop cleanly on SIGINT/SIGTERM.
 */
export async function runFromCommandLine(pipeline: boolean): Promise<void> {
  const logger = createLogger(pipeline ? 'switchboard' : 'gateway');
  let config: SwitchboardConfig | undefined;
  try {
    config = loadSwitchboardConfig(process.env);
    let localKafka: string | undefined;
    if (!process.env.KAFKA_BROKERS?.trim()) {
      logger.info('KAFKA_BROKERS is not set: starting the local broker of infra/kafka');
      const local = await startLocalKafka(REPO_ROOT);
      localKafka = describeLocalKafka(local);
      logger.info(`Kafka at ${localKafka}`);
      config.kafka.brokers = [local.address];
    }
    const running = await startSwitchboard(config, { pipeline, logger });
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

/** The operator's next step for the failures people meet at start, or undefined for the others. */
function explain(error: unknown, config: SwitchboardConfig | undefined): string | undefined {
  if (error instanceof ConfigError || error instanceof LocalKafkaError || error instanceof DuplicateConnectorError) return error.message;
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
