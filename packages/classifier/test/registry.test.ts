import { mkdtempSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEFAULT_MODEL_PATH } from '../src/model.ts';
import { promoteModelCopy } from '@switchboard/testkit';
import { EMPTY_MANIFEST, LiveClassifier, MANIFEST_FILE, readManifest, registryDirFromEnv, type RegistryManifest } from '../src/registry.ts';
import { DEFAULT_TAXONOMY_PATH } from '../src/taxonomy.ts';

const committedVersion = (JSON.parse(readFileSync(DEFAULT_MODEL_PATH, 'utf8')) as { classifierVersion: string }).classifierVersion;

const addVersion = (dir: string, version: string, promoted: string[] = [version]) =>
  promoteModelCopy({ dir, version, modelPath: DEFAULT_MODEL_PATH, taxonomyPath: DEFAULT_TAXONOMY_PATH, taxonomy: { triageThreshold: 1 }, promoted });

/** Written the way the workbench writes it: a new file renamed over the old one. */
function writeManifest(dir: string, promoted: string[]): void {
  const manifest: RegistryManifest = { ...EMPTY_MANIFEST, ...readManifest(dir), promoted };
  writeFileSync(join(dir, `${MANIFEST_FILE}.tmp`), JSON.stringify(manifest));
  renameSync(join(dir, `${MANIFEST_FILE}.tmp`), join(dir, MANIFEST_FILE));
}

describe('LiveClassifier', () => {
  it('uses the committed model while the registry is empty or absent', () => {
    const live = new LiveClassifier({ registryDir: join(tmpdir(), 'no-such-registry-here') });
    expect(live.version).toBe(committedVersion);
    expect(live.registryVersion).toBeUndefined();
    expect(live.classify('my card was stolen').classifierVersion).toBe(committedVersion);
  });

  it('swaps to a promoted model and back after a rollback, without a restart, and each decision names its model', () => {
    const dir = mkdtempSync(join(tmpdir(), 'registry-'));
    const swaps: Array<{ from: string; to: string }> = [];
    const live = new LiveClassifier({ registryDir: dir, onSwap: (change) => swaps.push(change) });
    expect(live.classify('charged twice for one coffee')).toMatchObject({ classifierVersion: committedVersion, triage: false });

    addVersion(dir, 'hash-linear-aaaaaaaaaaaa');
    expect(live.refresh()).toBe(true);
    expect(live.classify('charged twice for one coffee')).toMatchObject({ classifierVersion: 'hash-linear-aaaaaaaaaaaa', triage: true });
    expect(live.refresh()).toBe(false);

    writeManifest(dir, []);
    expect(live.refresh()).toBe(true);
    expect(live.classify('charged twice for one coffee')).toMatchObject({ classifierVersion: committedVersion, triage: false });
    expect(swaps).toEqual([
      { from: committedVersion, to: 'hash-linear-aaaaaaaaaaaa' },
      { from: 'hash-linear-aaaaaaaaaaaa', to: committedVersion },
    ]);
  });

  it('keeps the model in use when the promoted one cannot be loaded, and tries again at the next look', () => {
    const dir = mkdtempSync(join(tmpdir(), 'registry-'));
    const errors: string[] = [];
    const live = new LiveClassifier({ registryDir: dir, onError: (error) => errors.push(error.message) });
    // The manifest names a version whose files are not there (yet).
    writeManifest(dir, ['hash-linear-bbbbbbbbbbbb']);
    expect(live.refresh()).toBe(false);
    expect(live.version).toBe(committedVersion);
    expect(errors[0]).toMatch(/hash-linear-bbbbbbbbbbbb.model\.json/);
    addVersion(dir, 'hash-linear-bbbbbbbbbbbb');
    expect(live.refresh()).toBe(true);
    expect(live.version).toBe('hash-linear-bbbbbbbbbbbb');
  });

  it('follows the registry on its own when polling', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'registry-'));
    const live = new LiveClassifier({ registryDir: dir, pollMs: 20 });
    try {
      addVersion(dir, 'hash-linear-cccccccccccc');
      const deadline = Date.now() + 5_000;
      while (live.version !== 'hash-linear-cccccccccccc' && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
      expect(live.version).toBe('hash-linear-cccccccccccc');
    } finally {
      live.close();
    }
  });
});

describe('registryDirFromEnv', () => {
  it('is SWITCHBOARD_MODELS_DIR, else models under SWITCHBOARD_DATA_DIR, relative to where the command started', () => {
    expect(registryDirFromEnv({ SWITCHBOARD_MODELS_DIR: '/srv/models' })).toBe('/srv/models');
    expect(registryDirFromEnv({ SWITCHBOARD_DATA_DIR: '/var/lib/switchboard' })).toBe('/var/lib/switchboard/models');
    expect(registryDirFromEnv({ INIT_CWD: '/repo' })).toBe('/repo/.data/models');
  });
});
