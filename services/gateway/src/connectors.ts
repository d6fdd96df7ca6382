import { discoverConnectorModules, type Connector } from '@switchboard/connector-sdk';

export class DuplicateConnectorError extends Error {
  override readonly name = 'DuplicateConnectorError';
}

/**
 * Every connector configured in `env`, from the packages under services/ that declare a
 * connectorModule (`"switchboard": {"connector": true}` in package.json): each module returns the
 * connectors its environment configures, none when its channel is not set up. A connector's name
 * names its checkpoints and consumer groups, so two connectors with one name (or one named like a
 * connector of the gateway's own, in `reserved`) stop the start.
 */
export async function connectorsFromEnv(env: NodeJS.ProcessEnv, repoRoot: string, reserved: readonly string[] = []): Promise<Connector[]> {
  const owners = new Map<string, string>(reserved.map((name) => [name, 'the gateway']));
  const connectors: Connector[] = [];
  for (const module of await discoverConnectorModules(repoRoot)) {
    for (const connector of await module.fromEnv(env)) {
      const owner = owners.get(connector.name);
      if (owner) throw new DuplicateConnectorError(`connector name "${connector.name}" of module ${module.name} is already used by ${owner}`);
      owners.set(connector.name, `module ${module.name}`);
      connectors.push(connector);
    }
  }
  return connectors;
}
