/**
 * One pipeline stage as its own process, composed from the services' public factories the way their
 * `src/main.ts` does, but with consumer groups unique to the benchmark run (the services' mains use
 * fixed group names that other runs on a shared broker may also use). `tsx test/bench/stage.ts router|sink|relay`.
 * `relay` is no stage of the pipeline: it forwards BENCH_RELAY_FROM to BENCH_RELAY_TO unchanged (one
 * Kafka hop with no work), so two of them measure what two hops cost, as the pipeline has.
 * Tells the parent over IPC when it consumes; stops on SIGTERM.
 */
import { BatchingProducer, createKafka, ensureTopics, kafkaSettingsFromEnv } from '@switchboard/kafka';
import { createLogger, REPO_ROOT, stopOnSignals } from '@switchboard/runtime';
import { loadChannelRegistry } from '@switchboard/connector-sdk';
import { topicNames } from '@switchboard/schema';
import { loadClassifier } from '@switchboard/classifier';
import { openTicketStore } from '@switchboard/ticket-store';
import { startRouter } from '@switchboard/router';
import { resolveAckChannels, startTicketSink, ticketSinkConfigFromEnv } from '@switchboard/ticket-sink';
import { startRelay } from './baselines.ts';

const stage = process.argv[2];
const groupSuffix = process.env.BENCH_GROUP_SUFFIX ?? String(process.pid);
const logger = createLogger(`bench.${stage}`);
/** Where a stage's start-up time goes (the restart pause of `restart.ts`), in its log: seconds since the process started. */
const step = (name: string) => logger.info('start-up step', { step: name, atSeconds: Number(process.uptime().toFixed(3)) });

async function main(): Promise<void> {
  step('modules loaded');
  const settings = kafkaSettingsFromEnv();
  const topics = topicNames(settings.topicPrefix);
  const kafka = createKafka(settings, `-bench-${stage}`);
  await ensureTopics(kafka, settings.topicPrefix);
  step('topics checked');
  if (stage === 'relay') {
    // The relay has its own producer: the pipeline's BatchingProducer would be one more idle client in the measured process.
    const from = process.env.BENCH_RELAY_FROM;
    const to = process.env.BENCH_RELAY_TO;
    if (!from || !to) throw new Error('the relay needs BENCH_RELAY_FROM and BENCH_RELAY_TO');
    const relay = await startRelay(kafka, from, to);
    stopOnSignals(() => relay.stop(), logger);
    process.send?.({ ready: true });
    return;
  }
  const producer = new BatchingProducer(kafka);
  await producer.connect();
  step('producer connected');

  if (stage === 'router') {
    const classifier = loadClassifier(process.env.SWITCHBOARD_CLASSIFIER_MODEL);
    step('classifier loaded');
    const router = await startRouter({ kafka, producer, topics, classifier, groupId: `bench-router-${groupSuffix}`, logger });
    stopOnSignals(async () => {
      await router.stop();
      await producer.disconnect();
    }, logger);
  } else if (stage === 'sink') {
    const config = ticketSinkConfigFromEnv();
    if (!config.databaseUrl) throw new Error('the benchmark sink needs DATABASE_URL (real PostgreSQL)');
    const store = await openTicketStore({ url: config.databaseUrl, reopenWindowHours: config.reopenWindowHours, logger: logger.child('store') });
    step('store opened');
    const channels = await loadChannelRegistry(REPO_ROOT);
    const sink = await startTicketSink({
      kafka,
      producer,
      topics,
      store,
      channels,
      groupId: `bench-sink-${groupSuffix}`,
      deliveryGroupId: `bench-delivery-${groupSuffix}`,
      ackChannels: resolveAckChannels(config.ackChannels, channels),
      ackMaxAgeHours: config.ackMaxAgeHours,
      logger,
    });
    stopOnSignals(async () => {
      await sink.stop();
      await producer.disconnect();
      await store.close();
    }, logger);
  } else {
    throw new Error(`unknown stage ${String(stage)}: expected router, sink or relay`);
  }
  step('consuming');
  process.send?.({ ready: true });
}

main().catch((error: unknown) => {
  logger.error('bench stage failed to start', { error });
  process.exit(1);
});
