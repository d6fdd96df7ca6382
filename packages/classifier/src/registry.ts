import { readFileSync, statSync } from 'node:fs';
import { isAbsolute, join, resolve } from 'node:path';
import { z } from 'zod';
import { HashLinearClassifier, type Classifier, type Decision } from './classifier.ts';
import { DEFAULT_MODEL_PATH, readModelArtifact } from './model.ts';
import { DEFAULT_TAXONOMY_PATH, loadTaxonomy } from './taxonomy.ts';

/**
 * The model registry: a folder of trained models, each with the taxonomy it was trained with, the
 * hash of its data and its scores, and a manifest naming the one in use. The workbench writes it
 * (train, promote, roll back); the router only reads it, and follows its `current` model.
 *
 *   <dir>/manifest.json              this file's schema, below
 *   <dir>/<version>/model.json       the model artifact
 *   <dir>/<version>/taxonomy.json    the taxonomy it was trained with
 */
export const REGISTRY_FORMAT = 'switchboard-model-registry/1';
export const MANIFEST_FILE = 'manifest.json';

const isoDateTime = z.iso.datetime({ offset: true });

/** Accuracy and macro-F1 of a model on one set of labelled lines. */
export const SetScore = z.object({ n: z.number().int().nonnegative(), accuracy: z.number(), macroF1: z.number() });
export type SetScore = z.infer<typeof SetScore>;

export const RegisteredModel = z.object({
  version: z.string().min(1),
  createdAt: isoDateTime,
  /** sha256 over what it was trained on (every source's hash), the taxonomy and the training options. */
  dataHash: z.string().regex(/^[0-9a-f]{64}$/),
  sources: z.array(z.object({ file: z.string(), lines: z.number().int(), sha256: z.string() })),
  corrections: z.object({ trained: z.number().int(), heldOut: z.number().int(), dropped: z.number().int() }),
  /** The shadow evaluation: this model and the one in use then, on the same sets. */
  evaluation: z.object({
    against: z.string().describe('Version of the model it was compared with.'),
    tolerance: z.string().describe('The stated tolerance, in words.'),
    sets: z.array(
      z.object({
        set: z.string(),
        kind: z.enum(['base', 'corrections']),
        candidate: SetScore,
        current: SetScore,
        onlyCandidate: z.number().int().describe('Lines only the candidate gets right.'),
        onlyCurrent: z.number().int().describe('Lines only the model in use gets right.'),
        passed: z.boolean(),
        why: z.string(),
      }),
    ),
    priorityAgreement: z.object({ n: z.number().int(), candidate: z.number(), current: z.number() }).optional(),
    promote: z.boolean(),
    reasons: z.array(z.string()),
  }),
});
export type RegisteredModel = z.infer<typeof RegisteredModel>;

export const RegistryEvent = z.object({
  at: isoDateTime,
  action: z.enum(['added', 'promoted', 'rejected', 'rolled back']),
  version: z.string().nullable().describe('The model the action is about; null: the committed model.'),
  by: z.string().optional(),
  reason: z.string(),
});
export type RegistryEvent = z.infer<typeof RegistryEvent>;

export const RegistryManifest = z.object({
  format: z.literal(REGISTRY_FORMAT),
  /** Versions promoted, oldest first; the last is in use, and a rollback removes it. Empty: the committed model. */
  promoted: z.array(z.string()),
  models: z.record(z.string(), RegisteredModel),
  events: z.array(RegistryEvent),
});
export type RegistryManifest = z.infer<typeof RegistryManifest>;

export const EMPTY_MANIFEST: RegistryManifest = { format: REGISTRY_FORMAT, promoted: [], models: {}, events: [] };

/** Where the registry is: SWITCHBOARD_MODELS_DIR, else `models` under SWITCHBOARD_DATA_DIR (default `.data`), relative to where the command was started. */
export function registryDirFromEnv(env: NodeJS.ProcessEnv = process.env): string {
  const from = env.INIT_CWD ?? process.cwd();
  const dir = env.SWITCHBOARD_MODELS_DIR || join(env.SWITCHBOARD_DATA_DIR || '.data', 'models');
  return isAbsolute(dir) ? dir : resolve(from, dir);
}

export function readManifest(dir: string): RegistryManifest {
  let text: string;
  try {
    text = readFileSync(join(dir, MANIFEST_FILE), 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return structuredClone(EMPTY_MANIFEST);
    throw error;
  }
  const parsed = RegistryManifest.safeParse(JSON.parse(text));
  if (!parsed.success) throw new Error(`${join(dir, MANIFEST_FILE)} is not a model registry manifest: ${parsed.error.issues[0]?.message}`);
  return parsed.data;
}

/** The version in use: the last promoted, or undefined for the committed model. */
export function currentVersion(manifest: RegistryManifest): string | undefined {
  return manifest.promoted.at(-1);
}

/** The model file and taxonomy of a version (undefined: the committed model and the package's taxonomy). */
export function modelFiles(dir: string, version: string | undefined): { modelPath: string; taxonomyPath: string } {
  if (version === undefined) return { modelPath: DEFAULT_MODEL_PATH, taxonomyPath: DEFAULT_TAXONOMY_PATH };
  return { modelPath: join(dir, version, 'model.json'), taxonomyPath: join(dir, version, 'taxonomy.json') };
}

/** Loads a version of the registry (undefined: the committed model) with the taxonomy it was trained with. */
export function loadRegisteredClassifier(dir: string, version: string | undefined): HashLinearClassifier {
  const { modelPath, taxonomyPath } = modelFiles(dir, version);
  return new HashLinearClassifier(readModelArtifact(modelPath), loadTaxonomy(taxonomyPath));
}

export interface LiveClassifierOptions {
  /** The registry folder; it need not exist yet. */
  registryDir: string;
  /** How often the manifest is looked at; 0: only when `refresh` is called. */
  pollMs?: number;
  /** Told after each swap to another model. */
  onSwap?: (change: { from: string; to: string }) => void;
  /** Told when the manifest or a model cannot be read: the model in use stays, and the next look tries again. */
  onError?: (error: Error) => void;
}

/**
 * A classifier that follows the registry: it classifies with the registry's current model and,
 * when the manifest names another one (a promotion or a rollback), loads it and swaps to it between
 * two messages, without a restart. A model that fails to load is reported and not swapped to.
 * Every decision carries the version of the model that made it.
 */
export class LiveClassifier implements Classifier {
  private active: HashLinearClassifier;
  private activeVersion: string | undefined;
  private seen = '';
  private readonly timer: NodeJS.Timeout | undefined;

  constructor(private readonly options: LiveClassifierOptions) {
    const manifest = readManifest(options.registryDir);
    this.seen = this.manifestStamp();
    this.activeVersion = currentVersion(manifest);
    this.active = loadRegisteredClassifier(options.registryDir, this.activeVersion);
    if (options.pollMs) {
      this.timer = setInterval(() => this.refresh(), options.pollMs);
      this.timer.unref();
    }
  }

  get version(): string {
    return this.active.version;
  }

  /** The registry's version in use (undefined: the committed model). */
  get registryVersion(): string | undefined {
    return this.activeVersion;
  }

  classify(text: string, subject?: string): Decision {
    return this.active.classify(text, subject);
  }

  /** Looks at the manifest now; returns whether the model changed. */
  refresh(): boolean {
    try {
      const stamp = this.manifestStamp();
      if (stamp === this.seen) return false;
      const wanted = currentVersion(readManifest(this.options.registryDir));
      const swapping = wanted !== this.activeVersion;
      if (swapping) {
        const next = loadRegisteredClassifier(this.options.registryDir, wanted);
        const from = this.active.version;
        this.active = next;
        this.activeVersion = wanted;
        this.options.onSwap?.({ from, to: next.version });
      }
      // Only once it is done: a model that failed to load is tried again at the next look.
      this.seen = stamp;
      return swapping;
    } catch (error) {
      this.options.onError?.(error as Error);
      return false;
    }
  }

  close(): void {
    if (this.timer) clearInterval(this.timer);
  }

  /** Changes whenever the manifest is replaced (the writers rename a new file over it) or rewritten. */
  private manifestStamp(): string {
    try {
      const stat = statSync(join(this.options.registryDir, MANIFEST_FILE));
      return `${stat.ino}:${stat.mtimeMs}:${stat.size}`;
    } catch {
      return 'absent';
    }
  }
}
