import { readdirSync, readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Connector } from './contract.ts';

/**
 * What a connector package exports as `connectorModule`, so the gateway can find and start it without
 * knowing it: each package under services/ whose package.json has `"switchboard": {"connector": true}`.
 */
export interface ConnectorModule {
  readonly name: string;
  /** The connectors to run for this environment; none when the channel is not configured. */
  fromEnv(env: NodeJS.ProcessEnv): Connector[] | Promise<Connector[]>;
}

export class ConnectorModuleError extends Error {
  override readonly name = 'ConnectorModuleError';
}

/** Every connector package under `<repoRoot>/services`, imported, in directory order. */
export async function discoverConnectorModules(repoRoot: string): Promise<ConnectorModule[]> {
  const servicesDir = join(repoRoot, 'services');
  const modules: ConnectorModule[] = [];
  for (const dir of readdirSync(servicesDir).sort()) {
    const manifestPath = join(servicesDir, dir, 'package.json');
    if (!existsSync(manifestPath)) continue;
    const manifest = JSON.parse(readFileSync(manifestPath, 'utf8')) as { switchboard?: { connector?: boolean } };
    if (manifest.switchboard?.connector !== true) continue;
    const entry = join(servicesDir, dir, 'src', 'index.ts');
    const exported = (await import(pathToFileURL(entry).href)) as { connectorModule?: ConnectorModule };
    if (!exported.connectorModule || typeof exported.connectorModule.fromEnv !== 'function') {
      throw new ConnectorModuleError(`services/${dir} is marked as a connector but src/index.ts exports no connectorModule`);
    }
    modules.push(exported.connectorModule);
  }
  return modules;
}
