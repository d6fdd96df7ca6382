import { createKafka, ensureTopics, kafkaSettingsFromEnv, BatchingProducer } from '@switchboard/kafka';
import { createLogger, stopOnSignals } from '@switchboard/runtime';
import { consumerGroup, topicNames } from '@switchboard/schema';
import { loadClassifier } from '@switchboard/classifier';
import { routerConfig } from './config.ts';
import { startRouter } from './router.ts';

const logger = createLogger('router');
const config = routerConfig.load();
const settings = kafkaSettingsFromEnv();
const kafka = createKafka(settings, '-router');
const topics = topicNames(settings.topicPrefix);
await ensureTopics(kafka, settings.topicPrefix);
const producer = new BatchingProducer(kafka);
await producer.connect();
const classifier = loadClassifier(config.SWITCHBOARD_CLASSIFIER_MODEL);
const groupId = consumerGroup(topics, config.SWITCHBOARD_ROUTER_GROUP);
const router = await startRouter({ kafka, producer, topics, classifier, groupId, logger });
logger.info('router started', { group: groupId, classifierVersion: classifier.version, from: topics.inbound, to: topics.routed });
stopOnSignals(async () => {
  await router.stop();
  await producer.disconnect();
}, logger);
