import * as schema from '@switchboard/schema';
import type { Category, Language, Priority } from '@switchboard/schema';
import { FeatureExtractor } from './features.ts';
import * as language from './language.ts';
import { DEFAULT_MODEL_PATH, decodeWeights, readModelArtifact, type ModelArtifact, type SparseWeights } from './model.ts';
import * as priorityRules from './priority.ts';
import { loadTaxonomy, type Taxonomy } from './taxonomy.ts';

// Module-local copies: an imported binding is read through a getter on every use when the
// package runs under tsx, which shows in a hot path that runs for every message.
const CATEGORIES: readonly Category[] = [...schema.CATEGORIES];
const CATEGORY_COUNT = CATEGORIES.length;
const detectLanguage = language.detectLanguage;
const decidePriority = priorityRules.decidePriority;

export interface Decision {
  category: Category;
  /** Softmax probability of `category` (the sum over its intents). */
  confidence: number;
  /** Confidence is under the taxonomy's threshold: a person should check the category. */
  triage: boolean;
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
  /** Taxonomy whose threshold and priority rules apply; defaults to the package's taxonomy.json. */
  taxonomyPath?: string;
}

/**
 * Turns the folded UTF-16 units into the string the priority patterns read, in one native call
 * (typed arrays are little-endian wherever Node runs; a lone surrogate, from a cut at maxChars,
 * becomes U+FFFD: no pattern looks for either).
 */
const UTF16 = new TextDecoder('utf-16le');

/** FeatureKind.CharNgram and HanNgram, as local constants (see above). */
const CHAR_NGRAM_KIND = 2;
const HAN_NGRAM_KIND = 3;

/** How many of the strongest features a decision names. */
const EXPLAINED_FEATURES = 5;

/** Loads the model once; the returned classifier is synchronous and reuses its buffers. */
export function loadClassifier(path: string = DEFAULT_MODEL_PATH, options: LoadOptions = {}): Classifier {
  return new HashLinearClassifier(readModelArtifact(path), loadTaxonomy(options.taxonomyPath));
}

export class HashLinearClassifier implements Classifier {
  readonly version: string;
  private readonly taxonomy: Taxonomy;
  /**
   * The extractor's bucket table: word 2 × bucket + 1 holds where the bucket's entries start, and
   * word 2 × bucket + 3 where they end.
   */
  private readonly bucketTable: Uint32Array;
  /** Each entry packs its class (high byte) and int8 weight (low byte): one load per entry in the hot loop. */
  private readonly entries: Uint16Array;
  private readonly weightScale: number;
  private readonly bias: Float64Array;
  private readonly classNames: string[];
  private readonly classCategory: Uint8Array;
  /** Whether the class is a source intent the priority rules may name. */
  private readonly classIsIntent: boolean[];
  private readonly extractor: FeatureExtractor;
  private readonly classSums: Int32Array;
  private readonly probabilities: Float64Array;
  private readonly categoryProbabilities: Float64Array;
  private readonly topFeatureIndexes = new Int32Array(EXPLAINED_FEATURES);
  private readonly topFeatureWeights = new Float64Array(EXPLAINED_FEATURES);

  constructor(artifact: ModelArtifact, taxonomy: Taxonomy) {
    this.version = artifact.classifierVersion;
    this.taxonomy = taxonomy;
    const weights = decodeWeights(artifact);
    this.entries = packEntries(weights);
    this.weightScale = artifact.weightScale;
    this.bias = Float64Array.from(artifact.bias);
    this.classNames = artifact.classes.map((modelClass) => modelClass.name);
    this.classCategory = Uint8Array.from(artifact.classes, (modelClass) => CATEGORIES.indexOf(modelClass.category));
    this.classIsIntent = artifact.classes.map((modelClass) => modelClass.name in taxonomy.sourceIntents);
    this.extractor = new FeatureExtractor(artifact.features);
    this.bucketTable = this.extractor.table;
    for (let bucket = 0; bucket < weights.bucketOffsets.length; bucket++) this.bucketTable[2 * bucket + 1] = weights.bucketOffsets[bucket]!;
    this.classSums = new Int32Array(artifact.classes.length);
    this.probabilities = new Float64Array(artifact.classes.length);
    this.categoryProbabilities = new Float64Array(CATEGORY_COUNT);
  }

  classify(text: string, subject?: string): Decision {
    const input = subject ? `${subject}\n${text}` : text;
    const extractor = this.extractor;
    const distinct = extractor.extract(input);
    const sums = this.classSums;
    accumulateWeights(extractor.buckets, extractor.counts, distinct, this.bucketTable, this.entries, sums);

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
    let bestCategory = 0;
    for (let k = 1; k < CATEGORY_COUNT; k++) {
      if (categoryProbabilities[k]! > categoryProbabilities[bestCategory]!) bestCategory = k;
    }
    // The most probable class within the chosen category: its weights explain the choice.
    let topClass = -1;
    for (let c = 0; c < probabilities.length; c++) {
      if (this.classCategory[c] === bestCategory && (topClass < 0 || probabilities[c]! > probabilities[topClass]!)) topClass = c;
    }

    const category = CATEGORIES[bestCategory]!;
    const confidence = categoryProbabilities[bestCategory]!;
    const folded = extractor.folded;
    const foldedText = UTF16.decode(new Uint8Array(folded.buffer, folded.byteOffset, extractor.foldedLength * 2));
    const topIntent = this.classIsIntent[topClass] ? this.classNames[topClass] : undefined;
    const { priority, firedRules } = decidePriority(this.taxonomy, category, foldedText, topIntent);
    const scores = {} as Record<Category, number>;
    for (let k = 0; k < CATEGORY_COUNT; k++) scores[CATEGORIES[k]!] = categoryProbabilities[k]!;
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
    for (let index = 0; index < distinct; index++) {
      const bucket = this.extractor.buckets[index]!;
      touched += this.bucketTable[2 * bucket + 3]! - this.bucketTable[2 * bucket + 1]!;
    }
    return touched;
  }

  /** The distinct features that pushed hardest towards `classIndex`, strongest first. */
  private strongestFeatures(distinct: number, classIndex: number): string[] {
    const kept = strongestBuckets(this.extractor.buckets, this.extractor.kinds, this.extractor.starts, this.extractor.ends, distinct, this.bucketTable, this.entries, classIndex, this.topFeatureIndexes, this.topFeatureWeights);
    const names: string[] = [];
    for (let k = 0; k < kept; k++) names.push(this.extractor.describe(this.topFeatureIndexes[k]!));
    return names;
  }
}

/**
 * Fills topIndexes/topWeights with the (at most topIndexes.length) buckets whose weight for
 * `classIndex` is largest and positive, strongest first; returns how many there are.
 */
function strongestBuckets(
  buckets: Int32Array,
  kinds: Uint8Array,
  starts: Int32Array,
  ends: Int32Array,
  distinct: number,
  bucketTable: Uint32Array,
  entries: Uint16Array,
  classIndex: number,
  topIndexes: Int32Array,
  topWeights: Float64Array,
): number {
  const capacity = topIndexes.length;
  let kept = 0;
  for (let index = 0; index < distinct; index++) {
    // Words, word pairs and Chinese n-grams of two or more characters only: fragments of words
    // and single characters explain little to a reader.
    const kind = kinds[index]!;
    if (kind === CHAR_NGRAM_KIND || (kind === HAN_NGRAM_KIND && ends[index]! - starts[index]! < 2)) continue;
    const bucket = buckets[index]!;
    // A bucket's entries are in class order: binary search for ours.
    const end = bucketTable[2 * bucket + 3]!;
    let low = bucketTable[2 * bucket + 1]!;
    let high = end;
    while (low < high) {
      const middle = (low + high) >>> 1;
      if (entries[middle]! >>> 8 < classIndex) low = middle + 1;
      else high = middle;
    }
    const weight = low < end && entries[low]! >>> 8 === classIndex ? (entries[low]! << 24) >> 24 : 0;
    if (weight <= 0 || (kept === capacity && weight <= topWeights[kept - 1]!)) continue;
    // Insertion into the short sorted list.
    let position = kept < capacity ? kept++ : capacity - 1;
    while (position > 0 && topWeights[position - 1]! < weight) {
      topIndexes[position] = topIndexes[position - 1]!;
      topWeights[position] = topWeights[position - 1]!;
      position--;
    }
    topIndexes[position] = index;
    topWeights[position] = weight;
  }
  return kept;
}

/** sums[class] = Σ count × weight over the message's buckets: the hot loop, kept small so it optimises well. */
function accumulateWeights(
  buckets: Int32Array,
  counts: Uint16Array,
  distinct: number,
  bucketTable: Uint32Array,
  entries: Uint16Array,
  sums: Int32Array,
): void {
  sums.fill(0);
  for (let index = 0; index < distinct; index++) {
    const bucket = buckets[index]!;
    const count = counts[index]!;
    const start = bucketTable[2 * bucket + 1]!;
    const end = bucketTable[2 * bucket + 3]!;
    // Most features occur once: that loop skips the multiplication.
    if (count === 1) {
      for (let entry = start; entry < end; entry++) {
        const packed = entries[entry]!;
        sums[packed >>> 8]! += (packed << 24) >> 24;
      }
    } else {
      for (let entry = start; entry < end; entry++) {
        const packed = entries[entry]!;
        sums[packed >>> 8]! += count * ((packed << 24) >> 24);
      }
    }
  }
}

function packEntries(weights: SparseWeights): Uint16Array {
  const packed = new Uint16Array(weights.entryClasses.length);
  for (let entry = 0; entry < packed.length; entry++) {
    packed[entry] = (weights.entryClasses[entry]! << 8) | (weights.entryWeights[entry]! & 0xff);
  }
  return packed;
}
