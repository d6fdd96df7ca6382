import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  currentVersion,
  MANIFEST_FILE,
  readManifest,
  RegistryManifest,
  type ModelArtifact,
  type RegisteredModel,
  type RegistryEvent,
  type TaxonomyFile,
} from '@switchboard/classifier';

/**
 * The writing side of the model registry (its layout and the reading side are in
 * @switchboard/classifier's registry.ts). Every change is a new file renamed over the old one, so a
 * reader sees the manifest before or after, never half of it; writers take turns on a lock file.
 */

const LOCK_FILE = '.lock';
/** A lock older than this was left by a process that died (a training run takes about a minute). */
const STALE_LOCK_MS = 30 * 60_000;

export class RegistryBusyError extends Error {
  override readonly name = 'RegistryBusyError';
}

/** Runs `work` holding the registry's lock; another holder makes it fail at once, with who holds it. */
export async function withRegistryLock<T>(dir: string, work: () => Promise<T> | T): Promise<T> {
  mkdirSync(dir, { recursive: true });
  const lock = join(dir, LOCK_FILE);
  const take = () => writeFileSync(lock, JSON.stringify({ pid: process.pid, at: new Date().toISOString() }), { flag: 'wx' });
  try {
    take();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    if (Date.now() - statSync(lock).mtimeMs < STALE_LOCK_MS) {
      throw new RegistryBusyError(`the model registry ${dir} is in use (${readFileSync(lock, 'utf8')}); try again when that run ends`);
    }
    rmSync(lock, { force: true });
    take();
  }
  // A run stopped by SIGTERM (the router stopping its scheduled retrain) leaves no lock behind.
  const onTerminate = () => {
    rmSync(lock, { force: true });
    process.exit(143);
  };
  process.once('SIGTERM', onTerminate);
  try {
    return await work();
  } finally {
    process.off('SIGTERM', onTerminate);
    rmSync(lock, { force: true });
  }
}

function writeAtomically(path: string, content: string): void {
  const temporary = `${path}.tmp-${process.pid}`;
  writeFileSync(temporary, content);
  renameSync(temporary, path);
}

export function writeManifest(dir: string, manifest: RegistryManifest): void {
  mkdirSync(dir, { recursive: true });
  writeAtomically(join(dir, MANIFEST_FILE), `${JSON.stringify(RegistryManifest.parse(manifest), null, 2)}\n`);
}

const event = (action: RegistryEvent['action'], version: string | null, reason: string, by?: string): RegistryEvent => ({
  at: new Date().toISOString(),
  action,
  version,
  ...(by ? { by } : {}),
  reason,
});

/**
 * Stores a trained model with the taxonomy it was trained with and its record, and promotes it when
 * its evaluation says so. A version already stored (the same training gives the same version) keeps
 * its files. Call it holding the lock.
 */
export function addModel(dir: string, model: { artifact: ModelArtifact; taxonomy: TaxonomyFile; record: RegisteredModel }, by?: string): RegistryManifest {
  const { version } = model.record;
  const folder = join(dir, version);
  if (!existsSync(join(folder, 'model.json'))) {
    const staging = join(dir, `.staging-${version}-${process.pid}`);
    rmSync(staging, { recursive: true, force: true });
    mkdirSync(staging, { recursive: true });
    writeFileSync(join(staging, 'model.json'), `${JSON.stringify(model.artifact)}\n`);
    writeFileSync(join(staging, 'taxonomy.json'), `${JSON.stringify(model.taxonomy, null, 2)}\n`);
    rmSync(folder, { recursive: true, force: true });
    renameSync(staging, folder);
  }
  const manifest = readManifest(dir);
  manifest.models[version] = model.record;
  manifest.events.push(event('added', version, `trained on data ${model.record.dataHash.slice(0, 12)}`, by));
  const { promote, reasons } = model.record.evaluation;
  if (promote && currentVersion(manifest) !== version) {
    manifest.promoted.push(version);
    manifest.events.push(event('promoted', version, reasons.join('; '), by));
  } else if (!promote) {
    manifest.events.push(event('rejected', version, reasons.join('; '), by));
  }
  writeManifest(dir, manifest);
  return manifest;
}

/** Puts a stored version in use by hand (an admin's decision, recorded with the reason). */
export function promoteModel(dir: string, version: string, reason: string, by?: string): RegistryManifest {
  const manifest = readManifest(dir);
  if (!manifest.models[version]) throw new Error(`the registry has no model ${version}; stored: ${Object.keys(manifest.models).join(', ') || 'none'}`);
  if (currentVersion(manifest) === version) throw new Error(`${version} is already in use`);
  manifest.promoted.push(version);
  manifest.events.push(event('promoted', version, reason, by));
  writeManifest(dir, manifest);
  return manifest;
}

/** Goes back to the model in use before the last promotion (the committed model after the first). */
export function rollbackModel(dir: string, reason: string, by?: string): { manifest: RegistryManifest; from: string; to: string | undefined } {
  const manifest = readManifest(dir);
  const from = manifest.promoted.pop();
  if (from === undefined) throw new Error('nothing to roll back: the committed model is in use');
  const to = currentVersion(manifest);
  manifest.events.push(event('rolled back', to ?? null, `from ${from}: ${reason}`, by));
  writeManifest(dir, manifest);
  return { manifest, from, to };
}
