import { configSpec, field } from '@switchboard/runtime';
import { kafkaConfig } from '@switchboard/kafka';

export const DEFAULT_ROUTER_GROUP = 'switchboard-router';

/** The model the router classifies with; the all-in-one reads it too. */
export const classifierModelFields = {
  SWITCHBOARD_CLASSIFIER_MODEL: field.optional().describe('Path of a classifier model artifact. Unset: the committed model of @switchboard/classifier.'),
};

export const routerConfig = configSpec('router', {
  ...kafkaConfig.fields,
  ...classifierModelFields,
  SWITCHBOARD_ROUTER_GROUP: field
    .text(DEFAULT_ROUTER_GROUP)
    .describe('Kafka consumer group of the router (under SWITCHBOARD_TOPIC_PREFIX); instances in one group share partitions.')
    .advanced(),
});
export type RouterConfig = ReturnType<typeof routerConfig.load>;
