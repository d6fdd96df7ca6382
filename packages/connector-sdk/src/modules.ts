import { readdirSync, readFileSync, existsSync } from 'node:fs';
import { basename, join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { ConfigSpec, Field } from '@switchboard/runtime';
import { ChannelDescriptorShape, type ChannelDescriptor } from './channel.ts';
import type { Connector } from './contract.ts';

/**
 * What a connector package says about itself without starting anything (its `src/channel.ts` exports it
 * as `manifest`): cheap to import, so the sink, the router and the docs read every channel's descriptor
 * without loading any channel's client library.
 */
export interface ConnectorManifest {
  /** The package's connector name (`email` for services/connector-email). */
  readonly name: string;
  readonly channels: readonly ChannelDescriptor[];
  /** Every environment variable the connector reads: validation, docs and secrets in one place. */
  readonly config: ConfigSpec<Record<string, Field<unknown>>>;
}

/**
 * What a connector package exports as `connectorModule` from `src/index.ts`: its manifest and how to
 * build its connectors, so the gateway finds and starts it without knowing it (each package under
 * services/ whose package.json has `"switchboard": {"connector": true}`).
 */
export interface ConnectorModule extends ConnectorManifest {
  /** The connectors to run for this environment; none when the channel is not configured. */
  fromEnv(env: NodeJS.ProcessEnv): Connector[] | Promise<Connector[]>;
}

export class ConnectorModuleError extends Error {
  override readonly name = 'ConnectorModuleError';
}

function connectorPackages(repoRoot: string): string[] {
  const servicesDir = join(repoRoot, 'services');
  return readdirSync(servicesDir)
    .sort()
    .filter((dir) => {
      const manifestPath = join(servicesDir, dir, 'package.json');
      if (!existsSync(manifestPath)) return false;
      const pkg = JSON.parse(readFileSync(manifestPath, 'utf8')) as { switchboard?: { connector?: boolean } };
      return pkg.switchboard?.connector === true;
    })
    .map((dir) => join(servicesDir, dir));
}

async function importExport<T>(file: string, name: string): Promise<T> {
  if (!existsSync(file)) throw new ConnectorModuleError(`${file} is missing: a connector package exports \`${name}\` from it`);
  const exported = (await import(pathToFileURL(file).href)) as Record<string, unknown>;
  if (!exported[name]) throw new ConnectorModuleError(`${file} exports no \`${name}\``);
  return exported[name] as T;
}

function checkManifest(manifest: ConnectorManifest, where: string): void {
  if (typeof manifest.name !== 'string' || !manifest.name) throw new ConnectorModuleError(`${where}: the manifest has no name`);
  if (basename(where) !== `connector-${manifest.name}`) throw new ConnectorModuleError(`${where}: a connector named "${manifest.name}" lives in services/connector-${manifest.name}`);
  if (!Array.isArray(manifest.channels) || manifest.channels.length === 0) throw new ConnectorModuleError(`${where}: the manifest declares no channel`);
  for (const channel of manifest.channels) {
    const result = ChannelDescriptorShape.safeParse(channel);
    if (!result.success) {
      throw new ConnectorModuleError(`${where}: channel ${JSON.stringify(channel?.id)}: ${result.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
    }
  }
  if (!manifest.config || typeof manifest.config.load !== 'function') throw new ConnectorModuleError(`${where}: the manifest has no config spec`);
}

/** Two packages may not claim one channel id or one connector name. */
function checkUnique(manifests: readonly ConnectorManifest[]): void {
  const owners = new Map<string, string>();
  for (const manifest of manifests) {
    for (const key of [`connector ${manifest.name}`, ...manifest.channels.map((c) => `channel ${c.id}`)]) {
      const owner = owners.get(key);
      if (owner) throw new ConnectorModuleError(`${key} is declared by both ${owner} and ${manifest.name}`);
      owners.set(key, manifest.name);
    }
  }
}

/** Every connector package's manifest (`src/channel.ts`), in directory order; no channel library is loaded. */
export async function discoverManifests(repoRoot: string): Promise<ConnectorManifest[]> {
  const manifests: ConnectorManifest[] = [];
  for (const dir of connectorPackages(repoRoot)) {
    const manifest = await importExport<ConnectorManifest>(join(dir, 'src', 'channel.ts'), 'manifest');
    checkManifest(manifest, dir);
    manifests.push(manifest);
  }
  checkUnique(manifests);
  return manifests;
}

/** Every connector package's module (`src/index.ts`), imported, in directory order. */
export async function discoverConnectorModules(repoRoot: string): Promise<ConnectorModule[]> {
  const modules: ConnectorModule[] = [];
  for (const dir of connectorPackages(repoRoot)) {
    const module = await importExport<ConnectorModule>(join(dir, 'src', 'index.ts'), 'connectorModule');
    checkManifest(module, dir);
    if (typeof module.fromEnv !== 'function') throw new ConnectorModuleError(`${dir}: connectorModule has no fromEnv`);
    modules.push(module);
  }
  checkUnique(modules);
  return modules;
}
