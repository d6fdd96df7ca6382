import type { Connector, ConnectorHealth } from '@switchboard/connector-sdk';

export interface ChannelHealth extends ConnectorHealth {
  /** The connector's name (a connector may serve several channels, e.g. Slack and the web chat). */
  name: string;
  channels: string[];
}

/** Each connector's own `health()`; one that throws is reported not ready with the reason, never hides the others. */
export function channelHealth(connectors: readonly Connector[]): ChannelHealth[] {
  return connectors.map((connector) => {
    const base = { name: connector.name, channels: [...connector.channels] };
    try {
      return { ...base, ...connector.health() };
    } catch (error) {
      return { ...base, ready: false, status: `health check failed: ${error instanceof Error ? error.message : String(error)}` };
    }
  });
}
