import { gatewayConfig, loadGatewayConfig, type GatewayConfig } from '@switchboard/gateway';
import { classifierFields, classifierSettings, entityFields, entitySettings, type ClassifierSettings, type EntityOptions } from '@switchboard/router';
import { ticketSinkConfig } from '@switchboard/ticket-sink';

/** Every variable the one process reads: the gateway's, the router's classifier and entities, the ticket sink's. */
export const allInOneConfig = gatewayConfig.extend('switchboard', { ...classifierFields, ...entityFields, ...ticketSinkConfig.fields });

export interface AllInOneConfig extends GatewayConfig {
  classifier: ClassifierSettings;
  entities: EntityOptions;
  /** Unset: the registered channels that acknowledge by default. */
  ackChannels?: string[];
  ackMaxAgeHours: number;
}

export function loadAllInOneConfig(environment: NodeJS.ProcessEnv = process.env): AllInOneConfig {
  const cfg = allInOneConfig.load(environment);
  const gateway = loadGatewayConfig(environment, allInOneConfig);
  return {
    ...gateway,
    classifier: classifierSettings('switchboard', cfg, gateway.databaseUrl),
    entities: entitySettings('switchboard', cfg),
    ...(cfg.SWITCHBOARD_ACK_CHANNELS ? { ackChannels: cfg.SWITCHBOARD_ACK_CHANNELS } : {}),
    ackMaxAgeHours: cfg.SWITCHBOARD_ACK_MAX_AGE_HOURS,
  };
}
