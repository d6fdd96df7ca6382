import type { Category } from '@switchboard/schema';
import { FeatureExtractor, type FeatureConfig, type ModelArtifact, type ModelClass } from '@switchboard/classifier';
import { encodeArtifact } from './encode.ts';
import { seededRandom } from '@switchboard/runtime';

export interface TrainingExample {
  text: string;
  /** Index into the class list. */
  classIndex: number;
}

export interface TrainingOptions {
  features: FeatureConfig;
  epochs: number;
  /** Step size of the first epoch; it decays as learningRate / (1 + epoch × learningRateDecay). */
  learningRate: number;
  learningRateDecay: number;
  /** L2 penalty per example. */
  l2: number;
  seed: number;
  /** Quantised weights smaller than this (in int8 steps) are dropped: fewer entries, faster classification. */
  pruneBelow: number;
  /**
   * Each feature's value is multiplied by idf^idfPower, with scikit-learn's smoothed
   * idf = ln((1 + lines) / (1 + lines the bucket occurs in)) + 1 over the training lines; 0 turns it off.
   * The factor is folded into the stored weights, so classifying reads and computes the same as without it.
   */
  idfPower: number;
  /**
   * Each time a line is visited, each of its buckets is left out with this probability and the
   * rest are scaled by 1 / (1 − dropout), so no single n-gram can carry a class on its own; 0 turns it off.
   */
  dropout: number;
}

export const DEFAULT_TRAINING_OPTIONS: TrainingOptions = {
  features: { hashBits: 18, charNgramMin: 5, charNgramMax: 5, hanNgramMax: 3, maxChars: 4000 },
  epochs: 50,
  learningRate: 0.5,
  learningRateDecay: 0.5,
  l2: 1e-6,
  seed: 7,
  pruneBelow: 3,
  idfPower: 0.75,
  dropout: 0.3,
};

/** Class name for lines of our own data, which carry a category but no source intent. */
export function categoryClassName(category: Category): string {
  return `category:${category}`;
}


export function shuffleInPlace<T>(items: T[], random: () => number): T[] {
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [items[i], items[j]] = [items[j]!, items[i]!];
  }
  return items;
}

export interface TrainedWeights {
  /** Bucket-major: weight of (bucket, class) at bucket × classCount + class. */
  weights: Float32Array;
  bias: Float64Array;
}

/**
 * Multinomial logistic regression (softmax) over hashed, idf-weighted features, trained by plain SGD with
 * an L2 penalty and feature dropout. The examples are visited in a seeded shuffle, the dropout draws come
 * from the same seeded generator, and all arithmetic is in a fixed order, so the same data and options
 * always give bit-identical weights.
 */
export function trainWeights(examples: TrainingExample[], classCount: number, options: TrainingOptions): TrainedWeights {
  if (!(options.dropout >= 0 && options.dropout < 1)) throw new RangeError(`dropout must be in [0, 1), got ${options.dropout}`);
  const extractor = new FeatureExtractor(options.features);
  const featureLists = examples.map((example) => {
    const distinct = extractor.extract(example.text);
    return { buckets: extractor.buckets.slice(0, distinct), counts: Float64Array.from(extractor.counts.subarray(0, distinct)), occurrences: extractor.occurrences };
  });
  const bucketCount = 1 << options.features.hashBits;
  const idf = bucketIdf(featureLists, bucketCount, options.idfPower);
  for (const { buckets, counts } of featureLists) for (let index = 0; index < buckets.length; index++) counts[index]! *= idf[buckets[index]!]!;
  const weights = new Float32Array(bucketCount * classCount);
  const bias = new Float64Array(classCount);
  const gradient = new Float64Array(classCount);
  const maxDistinct = featureLists.reduce((max, { buckets }) => Math.max(max, buckets.length), 0);
  // This visit's value of each bucket of the line: its idf-weighted count, or 0 when dropped out.
  const visitCounts = new Float64Array(maxDistinct);
  const keptScale = 1 / (1 - options.dropout);
  const random = seededRandom(options.seed);
  const order = examples.map((_, index) => index);
  // L2 decay multiplies every weight each step; keeping it as one shared factor makes it O(1).
  let weightFactor = 1;

  for (let epoch = 0; epoch < options.epochs; epoch++) {
    shuffleInPlace(order, random);
    const learningRate = options.learningRate / (1 + epoch * options.learningRateDecay);
    for (const exampleIndex of order) {
      const { buckets, counts, occurrences } = featureLists[exampleIndex]!;
      if (occurrences === 0) continue;
      // Every occurrence has the value 1/sqrt(occurrences); the classifier normalises the same way.
      const value = 1 / Math.sqrt(occurrences);
      for (let index = 0; index < buckets.length; index++) {
        visitCounts[index] = options.dropout === 0 ? counts[index]! : random() < options.dropout ? 0 : counts[index]! * keptScale;
      }
      for (let c = 0; c < classCount; c++) gradient[c] = 0;
      for (let index = 0; index < buckets.length; index++) {
        const count = visitCounts[index]!;
        if (count === 0) continue;
        const base = buckets[index]! * classCount;
        for (let c = 0; c < classCount; c++) gradient[c]! += count * weights[base + c]!;
      }
      let maxLogit = -Infinity;
      for (let c = 0; c < classCount; c++) {
        gradient[c] = bias[c]! + gradient[c]! * value * weightFactor;
        if (gradient[c]! > maxLogit) maxLogit = gradient[c]!;
      }
      let total = 0;
      for (let c = 0; c < classCount; c++) {
        gradient[c] = Math.exp(gradient[c]! - maxLogit);
        total += gradient[c]!;
      }
      // Gradient of the cross-entropy with respect to the logits: probability − one-hot label.
      for (let c = 0; c < classCount; c++) gradient[c] = gradient[c]! / total;
      gradient[examples[exampleIndex]!.classIndex]! -= 1;

      weightFactor *= 1 - learningRate * options.l2;
      const step = (learningRate * value) / weightFactor;
      for (let index = 0; index < buckets.length; index++) {
        if (visitCounts[index] === 0) continue;
        const base = buckets[index]! * classCount;
        const countStep = step * visitCounts[index]!;
        for (let c = 0; c < classCount; c++) weights[base + c]! -= countStep * gradient[c]!;
      }
      for (let c = 0; c < classCount; c++) bias[c]! -= learningRate * gradient[c]!;
      if (weightFactor < 1e-3) {
        for (let i = 0; i < weights.length; i++) weights[i]! *= weightFactor;
        weightFactor = 1;
      }
    }
  }
  if (weightFactor !== 1) for (let i = 0; i < weights.length; i++) weights[i]! *= weightFactor;
  // A message's logit is Σ count × idf × weight: folding idf into the weights leaves classifying unchanged.
  for (let bucket = 0; bucket < bucketCount; bucket++) {
    const factor = idf[bucket]!;
    if (factor === 1) continue;
    const base = bucket * classCount;
    for (let c = 0; c < classCount; c++) weights[base + c]! *= factor;
  }
  return { weights, bias };
}

/** idf^power per bucket (1 everywhere when power is 0): idf = ln((1 + lines) / (1 + lines with the bucket)) + 1. */
function bucketIdf(featureLists: Array<{ buckets: Int32Array }>, bucketCount: number, power: number): Float64Array {
  const idf = new Float64Array(bucketCount).fill(1);
  if (power === 0) return idf;
  const documentFrequency = new Float64Array(bucketCount);
  for (const { buckets } of featureLists) for (const bucket of buckets) documentFrequency[bucket]!++;
  for (let bucket = 0; bucket < bucketCount; bucket++) {
    idf[bucket] = Math.pow(Math.log((1 + featureLists.length) / (1 + documentFrequency[bucket]!)) + 1, power);
  }
  return idf;
}

export function trainModel(
  examples: TrainingExample[],
  classes: ModelClass[],
  options: TrainingOptions,
  provenance: Record<string, unknown>,
): ModelArtifact {
  const { weights, bias } = trainWeights(examples, classes.length, options);
  const { features, ...hyperparameters } = options;
  return encodeArtifact(weights, bias, classes, features, { ...provenance, examples: examples.length, ...hyperparameters }, options.pruneBelow);
}
