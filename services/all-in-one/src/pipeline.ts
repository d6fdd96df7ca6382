import { consumerGroup } from '@switchboard/schema';
import type { GatewayStage, SharedResources } from '@switchboard/gateway';
import { DEFAULT_ROUTER_GROUP, routerClassifier, scheduleRetrain, startRouter } from '@switchboard/router';
import { DEFAULT_DELIVERY_GROUP, DEFAULT_SINK_GROUP, resolveAckChannels, startTicketSink } from '@switchboard/ticket-sink';
import type { AllInOneConfig } from './config.ts';

/** The router and the ticket sink, started in the gateway's process on its producer and store. */
export function pipelineStages(config: AllInOneConfig): (shared: SharedResources) => Promise<GatewayStage[]> {
  return async ({ kafka, producer, topics, store, channels, connectors, logger }) => {
    const { classifier, close: closeClassifier } = routerClassifier(config.classifier, logger.child('router'));
    const { retrainEveryHours } = config.classifier;
    const retrain = retrainEveryHours > 0 ? scheduleRetrain({ everyMs: retrainEveryHours * 3_600_000, logger: logger.child('retrain') }) : undefined;
    const groups = { router: consumerGroup(topics, DEFAULT_ROUTER_GROUP), sink: consumerGroup(topics, DEFAULT_SINK_GROUP), delivery: consumerGroup(topics, DEFAULT_DELIVERY_GROUP) };
    const stages: GatewayStage[] = [
      {
        what: 'classifier',
        stop: async () => {
          await retrain?.stop();
          closeClassifier();
        },
      },
    ];
    try {
      const router = await startRouter({ kafka, producer, topics, classifier, groupId: groups.router, logger: logger.child('router'), entities: config.entities });
      stages.push({ what: 'router', stop: () => router.stop(), lagSources: [{ group: groups.router, topic: topics.inbound }] });
      // Acknowledge only on channels with a running connector that sends: nobody else would deliver the ack.
      const sending = new Set(connectors.filter((c) => c.send).flatMap((c) => c.channels));
      const sink = await startTicketSink({
        kafka,
        producer,
        topics,
        store,
        channels,
        groupId: groups.sink,
        deliveryGroupId: groups.delivery,
        ackChannels: resolveAckChannels(config.ackChannels, channels).filter((channel) => sending.has(channel)),
        ackMaxAgeHours: config.ackMaxAgeHours,
        logger: logger.child('ticket-sink'),
      });
      stages.push({
        what: 'ticket-sink',
        stop: () => sink.stop(),
        lagSources: [
          { group: groups.sink, topic: topics.routed },
          { group: groups.delivery, topic: topics.delivery },
        ],
      });
      return stages;
    } catch (error) {
      for (const stage of stages.reverse()) await stage.stop();
      throw error;
    }
  };
}
