import { gatewayConfig, loadGatewayConfig, type GatewayConfig } from '@switchboard/gateway';
import { classifierModelFields } from '@switchboard/router';
import { ticketSinkConfig } from '@switchboard/ticket-sink';

/** Every variable the one process reads: the gateway's, the router's model, the ticket sink's. */
export const allInOneConfig = gatewayConfig.extend('switchboard', { ...classifierModelFields, ...ticketSinkConfig.fields });

export interface AllInOneConfig extends GatewayConfig {
  classifierModel?: string;
  /** Unset: the registered channels that acknowledge by default. */
  ackChannels?: string[];
  ackMaxAgeHours: number;
}

export function loadAllInOneConfig(environment: NodeJS.ProcessEnv = process.env): AllInOneConfig {
  const cfg = allInOneConfig.load(environment);
  return {
    ...loadGatewayConfig(environment, allInOneConfig),
    ...(cfg.SWITCHBOARD_CLASSIFIER_MODEL ? { classifierModel: cfg.SWITCHBOARD_CLASSIFIER_MODEL } : {}),
    ...(cfg.SWITCHBOARD_ACK_CHANNELS ? { ackChannels: cfg.SWITCHBOARD_ACK_CHANNELS } : {}),
    ackMaxAgeHours: cfg.SWITCHBOARD_ACK_MAX_AGE_HOURS,
  };
}
