import { z } from 'zod';

export const routerConfigSchema = z.object({
  SWITCHBOARD_ROUTER_GROUP: z.string().default('switchboard-router').describe('Kafka consumer group of the router; instances in one group share partitions.'),
  SWITCHBOARD_CLASSIFIER_MODEL: z.string().optional().describe('Path of a classifier model artifact; unset: the committed model of @switchboard/classifier.'),
});
export type RouterConfig = z.infer<typeof routerConfigSchema>;
