import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Category } from '@switchboard/schema';
import type { FeatureConfig } from './features.ts';

export const MODEL_FORMAT = 'switchboard-hash-linear/1';
export const DEFAULT_MODEL_PATH = fileURLToPath(new URL('../model/model.json', import.meta.url));

/** One output of the softmax: a source intent (BANKING77) or a category taught by our own data. */
export interface ModelClass {
  name: string;
  category: Category;
}

/**
 * The committed model. Weights are int8, stored sparsely per hash bucket (most bucket × class
 * weights round to zero), base64-encoded so the artifact is one reviewable JSON file.
 */
export interface ModelArtifact {
  format: typeof MODEL_FORMAT;
  classifierVersion: string;
  features: FeatureConfig;
  classes: ModelClass[];
  bias: number[];
  /** A stored int8 weight w stands for w × weightScale. */
  weightScale: number;
  /** base64 Uint8Array(2^hashBits): how many (class, weight) entries each bucket has. */
  bucketEntryCounts: string;
  /** base64 Uint8Array: the class of each entry, bucket after bucket. */
  entryClasses: string;
  /** base64 Int8Array: the weight of each entry. */
  entryWeights: string;
  training: Record<string, unknown>;
}

/** The artifact's weights in the form the hot path reads. */
export interface SparseWeights {
  /** Entries of bucket b are [bucketOffsets[b], bucketOffsets[b + 1]). */
  bucketOffsets: Uint32Array;
  entryClasses: Uint8Array;
  entryWeights: Int8Array;
}

export function readModelArtifact(path: string = DEFAULT_MODEL_PATH): ModelArtifact {
  const artifact = JSON.parse(readFileSync(path, 'utf8')) as ModelArtifact;
  if (artifact.format !== MODEL_FORMAT) throw new Error(`${path}: unsupported model format ${String(artifact.format)}`);
  for (const modelClass of artifact.classes) {
    if (!Category.safeParse(modelClass.category).success) throw new Error(`${path}: class ${modelClass.name} has no valid category id`);
  }
  return artifact;
}

export function decodeWeights(artifact: ModelArtifact): SparseWeights {
  const counts = Buffer.from(artifact.bucketEntryCounts, 'base64');
  const classes = Buffer.from(artifact.entryClasses, 'base64');
  const weights = Buffer.from(artifact.entryWeights, 'base64');
  const bucketCount = 1 << artifact.features.hashBits;
  if (counts.length !== bucketCount) throw new Error(`model has ${counts.length} bucket counts, expected ${bucketCount}`);
  const bucketOffsets = new Uint32Array(bucketCount + 1);
  for (let bucket = 0; bucket < bucketCount; bucket++) bucketOffsets[bucket + 1] = bucketOffsets[bucket]! + counts[bucket]!;
  if (bucketOffsets[bucketCount] !== classes.length || classes.length !== weights.length) {
    throw new Error('model entry arrays do not match the bucket counts');
  }
  return {
    bucketOffsets,
    entryClasses: new Uint8Array(classes),
    entryWeights: new Int8Array(weights.buffer.slice(weights.byteOffset, weights.byteOffset + weights.length)),
  };
}
