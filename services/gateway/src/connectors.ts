import type { Connector, ConnectorModule } from '@switchboard/connector-sdk';

export class DuplicateConnectorError extends Error {
  override readonly name = 'DuplicateConnectorError';
}

export class UndeclaredChannelError extends Error {
  override readonly name = 'UndeclaredChannelError';
}

/**
 * Every connector the environment configures, from the discovered connector modules: each module returns
 * the connectors its environment configures, none when its channel is not set up. A connector's name
 * names its checkpoints and consumer groups, so two connectors with one name (or one named like a
 * connector given in `reserved`) stop the start; so does a connector serving a channel its package did
 * not declare (it would have no label, no reply policy, no docs).
 */
export async function connectorsFromModules(modules: readonly ConnectorModule[], env: NodeJS.ProcessEnv, reserved: readonly string[] = []): Promise<Connector[]> {
  const owners = new Map<string, string>(reserved.map((name) => [name, 'a connector given to the gateway']));
  const connectors: Connector[] = [];
  for (const module of modules) {
    const declared = new Set(module.channels.map((c) => c.id));
    for (const connector of await module.fromEnv(env)) {
      const owner = owners.get(connector.name);
      if (owner) throw new DuplicateConnectorError(`connector name "${connector.name}" of module ${module.name} is already used by ${owner}`);
      const undeclared = connector.channels.filter((channel) => !declared.has(channel));
      if (connector.channels.length === 0 || undeclared.length > 0) {
        throw new UndeclaredChannelError(
          `connector "${connector.name}" of module ${module.name} serves ${connector.channels.length ? `channel(s) ${undeclared.join(', ')} that its channel.ts does not declare` : 'no channel'}`,
        );
      }
      owners.set(connector.name, `module ${module.name}`);
      connectors.push(connector);
    }
  }
  return connectors;
}
