import { createKafka, ensureTopics, kafkaSettingsFromEnv, BatchingProducer } from '@switchboard/kafka';
import { createLogger, stopOnSignals } from '@switchboard/runtime';
import { consumerGroup, topicNames } from '@switchboard/schema';
import { routerClassifier } from './classifier.ts';
import { loadRouterConfig } from './config.ts';
import { scheduleRetrain } from './retrain.ts';
import { startRouter } from './router.ts';

const logger = createLogger('router');
const config = loadRouterConfig();
const settings = kafkaSettingsFromEnv();
const kafka = createKafka(settings, '-router');
const topics = topicNames(settings.topicPrefix);
await ensureTopics(kafka, settings.topicPrefix);
const producer = new BatchingProducer(kafka);
await producer.connect();
const { classifier, close: closeClassifier } = routerClassifier(config.classifier, logger);
const { retrainEveryHours } = config.classifier;
const retrain = retrainEveryHours > 0 ? scheduleRetrain({ everyMs: retrainEveryHours * 3_600_000, logger: logger.child('retrain') }) : undefined;
const groupId = consumerGroup(topics, config.SWITCHBOARD_ROUTER_GROUP);
const router = await startRouter({ kafka, producer, topics, classifier, groupId, logger, entities: config.entities });
logger.info('router started', { group: groupId, entityTimeZone: config.entities.timeZone, classifierVersion: classifier.version, from: topics.inbound, to: topics.routed, retrainEveryHours });
stopOnSignals(async () => {
  await retrain?.stop();
  await router.stop();
  await producer.disconnect();
  closeClassifier();
}, logger);
