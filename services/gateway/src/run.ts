import { ConfigError, createLogger, stopOnSignals } from '@switchboard/runtime';
import { loadSwitchboardConfig, REPO_ROOT } from './config.ts';
import { LocalKafkaError, startLocalKafka } from './local-kafka.ts';
import { startSwitchboard } from './switchboard.ts';

/**
 * The command-line entry of `pnpm start` (pipeline) and of the gateway alone: validate the
 * environment, find or start Kafka, start, print the ready banner, stop cleanly on SIGINT/SIGTERM.
 */
export async function runFromCommandLine(pipeline: boolean): Promise<void> {
  const logger = createLogger(pipeline ? 'switchboard' : 'gateway');
  try {
    const config = loadSwitchboardConfig(process.env);
    if (!process.env.KAFKA_BROKERS?.trim()) {
      logger.info('KAFKA_BROKERS is not set: starting the local broker of infra/kafka');
      config.kafka.brokers = [await startLocalKafka(REPO_ROOT)];
    }
    const running = await startSwitchboard(config, { pipeline, logger });
    stopOnSignals(() => running.stop(), logger, 20_000);
    process.stdout.write(`${running.banner()}\n`);
  } catch (error) {
    if (error instanceof ConfigError || error instanceof LocalKafkaError) process.stderr.write(`${error.message}\n`);
    else logger.error('could not start', { error, brokers: process.env.KAFKA_BROKERS });
    process.exit(1);
  }
}
