import { discoverConnectorModules, type Connector, type ConnectorModule } from '@switchboard/connector-sdk';
import { chatConnectorsFromEnv } from '@switchboard/connector-chat';
import type { Logger } from '@switchboard/runtime';

/**
 * The channel packages the gateway composes by their documented factories, for those that do not
 * (yet) declare a `connectorModule`. Each returns no connector when its channel is not configured.
 */
export const BUILT_IN_CHANNELS: readonly ConnectorModule[] = [
  { name: 'chat', fromEnv: (env) => chatConnectorsFromEnv(env) },
];

/**
 * Every connector configured in `env`: packages under services/ that declare a connectorModule
 * (`"switchboard": {"connector": true}`) first, then the built-in channels not already among them.
 * A connector name appears once: it names checkpoints and consumer groups.
 */
export async function connectorsFromEnv(env: NodeJS.ProcessEnv, repoRoot: string, logger: Logger): Promise<Connector[]> {
  const discovered = await discoverConnectorModules(repoRoot);
  const discoveredNames = new Set(discovered.map((m) => m.name));
  const modules = [...discovered, ...BUILT_IN_CHANNELS.filter((m) => !discoveredNames.has(m.name))];
  const connectors = new Map<string, Connector>();
  for (const module of modules) {
    for (const connector of await module.fromEnv(env)) {
      if (connectors.has(connector.name)) logger.warn('connector offered twice: keeping the first', { connector: connector.name, module: module.name });
      else connectors.set(connector.name, connector);
    }
  }
  return [...connectors.values()];
}
