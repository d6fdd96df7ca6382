import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * Puts a model in use in a model registry folder (the layout of @switchboard/classifier's
 * registry.ts), written as its writers write it, the manifest renamed over the old one: a copy of
 * `modelPath` under another version, with the taxonomy at `taxonomyPath` changed by `taxonomy`, so
 * its decisions differ visibly (a triage threshold of 1 triages everything).
 */
export function promoteModelCopy(options: { dir: string; version: string; modelPath: string; taxonomyPath: string; taxonomy?: Record<string, unknown>; promoted?: string[] }): void {
  const { dir, version } = options;
  mkdirSync(join(dir, version), { recursive: true });
  const artifact = JSON.parse(readFileSync(options.modelPath, 'utf8')) as { classifierVersion: string };
  writeFileSync(join(dir, version, 'model.json'), JSON.stringify({ ...artifact, classifierVersion: version }));
  writeFileSync(join(dir, version, 'taxonomy.json'), JSON.stringify({ ...(JSON.parse(readFileSync(options.taxonomyPath, 'utf8')) as object), ...options.taxonomy }));
  const promoted = options.promoted ?? [version];
  const record = (v: string) => ({
    version: v,
    createdAt: new Date().toISOString(),
    dataHash: '0'.repeat(64),
    sources: [],
    corrections: { trained: 0, heldOut: 0, dropped: 0 },
    evaluation: { against: artifact.classifierVersion, tolerance: 'test', sets: [], promote: true, reasons: [] },
  });
  const manifest = { format: 'switchboard-model-registry/1', promoted, models: Object.fromEntries(promoted.map((v) => [v, record(v)])), events: [] };
  writeFileSync(join(dir, 'manifest.json.tmp'), JSON.stringify(manifest));
  renameSync(join(dir, 'manifest.json.tmp'), join(dir, 'manifest.json'));
}
