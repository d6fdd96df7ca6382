import type { Category, Language, Priority } from '@switchboard/schema';
import { FeatureExtractor } from './features.ts';
import { Kernel } from './kernel.ts';
import * as language from './language.ts';
import { DEFAULT_MODEL_PATH, decodeWeights, readModelArtifact, type ModelArtifact, type SparseWeights } from './model.ts';
import * as priorityRules from './priority.ts';
import { loadTaxonomy, type Taxonomy } from './taxonomy.ts';

// Module-local copies: an imported binding is read through a getter on every use when the
// package runs under tsx, which shows in a hot path that runs for every message.
const detectLanguage = language.detectLanguage;
const decidePriority = priorityRules.decidePriority;

export interface Decision {
  category: Category;
  /** Softmax probability of `category` (the sum over its classes). */
  confidence: number;
  /** Confidence is under the taxonomy's threshold: a person should check the category. */
  triage: boolean;
  /** Every category of the taxonomy, in its order, with its probability. */
  scores: Record<Category, number>;
  priority: Priority;
  language: Language;
  explanation: { priorityRules: string[]; features: string[] };
  classifierVersion: string;
}

export interface Classifier {
  readonly version: string;
  classify(text: string, subject?: string): Decision;
}

export interface LoadOptions {
  /** The taxonomy the model was trained with (its categories, threshold and priority rules); defaults to the package's taxonomy.json. */
  taxonomyPath?: string;
}

/**
 * Turns the folded UTF-16 units into the string the priority patterns read, in one native call
 * (typed arrays are little-endian wherever Node runs; a lone surrogate, from a cut at maxChars,
 * becomes U+FFFD: no pattern looks for either).
 */
const UTF16 = new TextDecoder('utf-16le');

/** How many of the strongest features a decision names. */
const EXPLAINED_FEATURES = 5;

/** Loads the model once; the returned classifier is synchronous and reuses its buffers. */
export function loadClassifier(path: string = DEFAULT_MODEL_PATH, options: LoadOptions = {}): Classifier {
  return new HashLinearClassifier(readModelArtifact(path), loadTaxonomy(options.taxonomyPath));
}

export class HashLinearClassifier implements Classifier {
  readonly version: string;
  readonly taxonomy: Taxonomy;
  private readonly categories: readonly Category[];
  /** The weights, and feature extraction, weight sums and explanation search over them, in WebAssembly. */
  private readonly kernel: Kernel;
  private readonly weightScale: number;
  private readonly bias: Float64Array;
  private readonly classNames: string[];
  private readonly classCategory: Uint8Array;
  /** Whether the class is a source intent the priority rules may name. */
  private readonly classIsIntent: boolean[];
  private readonly extractor: FeatureExtractor;
  private readonly probabilities: Float64Array;
  private readonly categoryProbabilities: Float64Array;

  constructor(artifact: ModelArtifact, taxonomy: Taxonomy) {
    this.version = artifact.classifierVersion;
    this.taxonomy = taxonomy;
    this.categories = taxonomy.categoryIds;
    const unknown = artifact.classes.filter((modelClass) => !taxonomy.categoryIds.includes(modelClass.category));
    if (unknown.length > 0) {
      throw new Error(`model ${artifact.classifierVersion} has classes of categories its taxonomy lacks: ${[...new Set(unknown.map((c) => c.category))].join(', ')}`);
    }
    const weights = decodeWeights(artifact);
    this.weightScale = artifact.weightScale;
    this.bias = Float64Array.from(artifact.bias);
    this.classNames = artifact.classes.map((modelClass) => modelClass.name);
    this.classCategory = Uint8Array.from(artifact.classes, (modelClass) => this.categories.indexOf(modelClass.category));
    this.classIsIntent = artifact.classes.map((modelClass) => modelClass.name in taxonomy.sourceIntents);
    this.kernel = new Kernel(artifact.features, { starts: weights.bucketOffsets, entries: packEntries(weights), classCount: artifact.classes.length });
    this.extractor = new FeatureExtractor(artifact.features, this.kernel);
    this.probabilities = new Float64Array(artifact.classes.length);
    this.categoryProbabilities = new Float64Array(this.categories.length);
  }

  classify(text: string, subject?: string): Decision {
    const input = subject ? `${subject}\n${text}` : text;
    const extractor = this.extractor;
    const distinct = extractor.extract(input);
    const sums = this.kernel.accumulate(distinct);

    // Every occurrence weighs 1/sqrt(occurrences): the same normalisation training used.
    const occurrences = extractor.occurrences;
    const value = occurrences > 0 ? this.weightScale / Math.sqrt(occurrences) : 0;
    const probabilities = this.probabilities;
    let maxLogit = -Infinity;
    for (let c = 0; c < sums.length; c++) {
      const logit = this.bias[c]! + sums[c]! * value;
      probabilities[c] = logit;
      if (logit > maxLogit) maxLogit = logit;
    }
    let total = 0;
    for (let c = 0; c < probabilities.length; c++) {
      const exponential = Math.exp(probabilities[c]! - maxLogit);
      probabilities[c] = exponential;
      total += exponential;
    }
    const categoryProbabilities = this.categoryProbabilities;
    categoryProbabilities.fill(0);
    for (let c = 0; c < probabilities.length; c++) {
      probabilities[c] = probabilities[c]! / total;
      categoryProbabilities[this.classCategory[c]!]! += probabilities[c]!;
    }
    const categories = this.categories;
    let bestCategory = 0;
    for (let k = 1; k < categories.length; k++) {
      if (categoryProbabilities[k]! > categoryProbabilities[bestCategory]!) bestCategory = k;
    }
    // The most probable class within the chosen category: its weights explain the choice.
    let topClass = -1;
    for (let c = 0; c < probabilities.length; c++) {
      if (this.classCategory[c] === bestCategory && (topClass < 0 || probabilities[c]! > probabilities[topClass]!)) topClass = c;
    }

    const category = categories[bestCategory]!;
    const confidence = categoryProbabilities[bestCategory]!;
    const folded = extractor.folded;
    const foldedText = UTF16.decode(new Uint8Array(folded.buffer, folded.byteOffset, extractor.foldedLength * 2));
    const topIntent = this.classIsIntent[topClass] ? this.classNames[topClass] : undefined;
    const { priority, firedRules } = decidePriority(this.taxonomy, category, foldedText, topIntent);
    const scores = {} as Record<Category, number>;
    for (let k = 0; k < categories.length; k++) scores[categories[k]!] = categoryProbabilities[k]!;
    return {
      category,
      confidence,
      triage: confidence < this.taxonomy.triageThreshold,
      scores,
      priority,
      language: detectLanguage(input),
      explanation: { priorityRules: firedRules, features: this.strongestFeatures(distinct, topClass) },
      classifierVersion: this.version,
    };
  }

  /** How many weight entries classifying `text` reads: the main cost of a classification. */
  weightEntriesTouched(text: string): number {
    const distinct = this.extractor.extract(text);
    let touched = 0;
    const starts = this.kernel.weights!.starts;
    for (let index = 0; index < distinct; index++) {
      const bucket = this.extractor.buckets[index]!;
      touched += starts[bucket + 1]! - starts[bucket]!;
    }
    return touched;
  }

  /** The distinct features that pushed hardest towards `classIndex`, strongest first. */
  private strongestFeatures(distinct: number, classIndex: number): string[] {
    const kept = this.kernel.strongest(distinct, classIndex, EXPLAINED_FEATURES);
    const names: string[] = [];
    for (let k = 0; k < kept; k++) names.push(this.extractor.describe(this.kernel.strongestFeatures[k]!));
    return names;
  }
}

function packEntries(weights: SparseWeights): Uint16Array {
  const packed = new Uint16Array(weights.entryClasses.length);
  for (let entry = 0; entry < packed.length; entry++) {
    packed[entry] = (weights.entryClasses[entry]! << 8) | (weights.entryWeights[entry]! & 0xff);
  }
  return packed;
}
