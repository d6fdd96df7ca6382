import * as normalize from './normalize.ts';

// Module-local copies: an imported binding is read through a getter on every use when the
// package runs under tsx, which costs more than the work of the hot loops below.
const FOLD = normalize.FOLD;
const CHAR_CLASS = normalize.CHAR_CLASS;
const JOINER = normalize.JOINER;
const SEPARATOR_CODE = normalize.SEPARATOR;
const SEPARATOR_CLASS = 0; // CharClass.Separator
const WORD_CLASS = 1; // CharClass.Word

/** How text is turned into hashed features; stored in the model so training and serving agree. */
export interface FeatureConfig {
  /** log2 of the number of hash buckets. */
  hashBits: number;
  /** Character n-grams of each Latin word, padded with word boundaries ("<pay", "ay>"). */
  charNgramMin: number;
  charNgramMax: number;
  /** Han character n-grams 1..hanNgramMax: Chinese has no spaces, so these stand in for words. */
  hanNgramMax: number;
  /** Only the beginning of very long messages is read, which bounds the time per message. */
  maxChars: number;
}

export const enum FeatureKind {
  Word = 0,
  WordBigram = 1,
  CharNgram = 2,
  HanNgram = 3,
}

const KIND_SEEDS = [0x811c9dc5, 0x2f1a3b6d, 0x5bd1e995, 0x1b873593] as const;
const CHAR_NGRAM_SEED = KIND_SEEDS[FeatureKind.CharNgram];
const FNV_PRIME = 16777619;
const WORD_START = 0x3c; // "<"
const WORD_END = 0x3e; // ">"
const MAX_WORD_LENGTH = 40;

/**
 * Turns text into hashed features, reusing its buffers across calls: one extractor per
 * classifier, never shared between concurrent callers (JavaScript is single-threaded, so
 * synchronous use is safe).
 *
 * Every occurrence has the same value, 1/sqrt(occurrences), so a message's score is a sum of
 * weights. Repeated features are counted once per distinct bucket (`counts`), found with a
 * generation-stamped table rather than a Map, so the hot path allocates nothing: the weights of a
 * bucket are read once however often its n-gram occurs. Each distinct feature keeps where it first
 * came from so the strongest ones can be named afterwards.
 */
export class FeatureExtractor {
  readonly config: FeatureConfig;
  /** Distinct buckets found by the last `extract`. */
  count = 0;
  /** Occurrences (with repeats) found by the last `extract`: the normalisation uses it. */
  occurrences = 0;
  readonly buckets: Int32Array;
  /** How often buckets[i] occurred. */
  readonly counts: Uint16Array;
  readonly kinds: Uint8Array;
  readonly starts: Int32Array;
  readonly ends: Int32Array;
  /** The folded text, separators kept, joiners dropped; starts/ends index into it. */
  readonly folded: Uint16Array;
  foldedLength = 0;
  private readonly bucketMask: number;
  /**
   * Two words per bucket. table[2 × bucket] is its mark: mark >>> 16 === generation when the
   * bucket was already seen in this message, at slot mark & 0xffff. table[2 × bucket + 1] is left
   * to the owner (the classifier keeps where the bucket's weights start there, and the end in the
   * next bucket's word), so looking up a bucket's weights reuses the cache line its mark brought in.
   */
  readonly table: Uint32Array;
  private generation = 0;
  private readonly paddedWord = new Uint16Array(MAX_WORD_LENGTH + 2);
  private readonly describedCodes: Uint16Array;

  constructor(config: FeatureConfig) {
    this.config = config;
    this.bucketMask = (1 << config.hashBits) - 1;
    const perChar = config.charNgramMax - config.charNgramMin + 1 + config.hanNgramMax + 2;
    const capacity = (config.maxChars + 2) * perChar + 16;
    if (capacity > 0xffff) throw new Error(`maxChars ${config.maxChars} gives more distinct features than a slot index holds`);
    this.buckets = new Int32Array(capacity);
    this.counts = new Uint16Array(capacity);
    this.kinds = new Uint8Array(capacity);
    this.starts = new Int32Array(capacity);
    this.ends = new Int32Array(capacity);
    this.folded = new Uint16Array(config.maxChars + 1);
    this.describedCodes = new Uint16Array(config.maxChars + 2);
    this.table = new Uint32Array((2 << config.hashBits) + 2);
  }

  /** Extracts the features of `text`; returns how many distinct buckets were found. */
  extract(text: string): number {
    this.count = 0;
    this.occurrences = 0;
    this.generation = (this.generation + 1) & 0xffff;
    if (this.generation === 0) {
      for (let i = 0; i < this.table.length; i += 2) this.table[i] = 0;
      this.generation = 1;
    }
    const folded = this.folded;
    const limit = Math.min(text.length, this.config.maxChars);
    let length = 0;
    for (let i = 0; i < limit; i++) {
      const code = FOLD[text.charCodeAt(i)]!;
      if (code !== JOINER) folded[length++] = code;
    }
    this.foldedLength = length;

    let previousWordHash = 0;
    let previousWordStart = -1;
    let i = 0;
    while (i < length) {
      const charClass = CHAR_CLASS[folded[i]!]!;
      if (charClass === SEPARATOR_CLASS) {
        i++;
        continue;
      }
      const start = i;
      while (i < length && CHAR_CLASS[folded[i]!] === charClass) i++;
      if (charClass === WORD_CLASS) {
        const end = Math.min(i, start + MAX_WORD_LENGTH);
        const wordHash = this.hashRange(KIND_SEEDS[FeatureKind.Word], start, end);
        this.push(wordHash, FeatureKind.Word, start, end);
        if (previousWordStart >= 0) {
          const bigramHash = Math.imul(previousWordHash ^ Math.imul(wordHash, 0x9e3779b1), FNV_PRIME) ^ KIND_SEEDS[1];
          this.push(bigramHash, FeatureKind.WordBigram, previousWordStart, end);
        }
        previousWordHash = wordHash;
        previousWordStart = start;
        this.addCharNgrams(start, end);
      } else {
        // A Han run breaks the chain of English word bigrams ("我的card被盗" → "card" has no left neighbour).
        previousWordStart = -1;
        this.addHanNgrams(start, i);
      }
    }
    return this.count;
  }

  /** Human-readable form of distinct feature `index`, for explanations. */
  describe(index: number): string {
    const start = this.starts[index]!;
    const end = this.ends[index]!;
    const kind = this.kinds[index]! as FeatureKind;
    const codes = this.describedCodes;
    let length = 0;
    for (let i = start; i < end; i++) {
      const code = i >= 0 && i < this.foldedLength ? this.folded[i]! : SEPARATOR_CODE;
      if (kind === FeatureKind.HanNgram || CHAR_CLASS[code] === WORD_CLASS) codes[length++] = code;
      else if (kind === FeatureKind.CharNgram) codes[length++] = i === start ? WORD_START : WORD_END;
      // Between the two words of a bigram: one space for the separators.
      else if (length > 0 && codes[length - 1] !== SEPARATOR_CODE) codes[length++] = SEPARATOR_CODE;
    }
    const body = String.fromCharCode.apply(null, codes.subarray(0, length) as unknown as number[]);
    switch (kind) {
      case FeatureKind.Word:
        return `word:${body}`;
      case FeatureKind.WordBigram:
        return `words:${body}`;
      case FeatureKind.CharNgram:
        return `chars:${body}`;
      case FeatureKind.HanNgram:
        return `han:${body}`;
    }
  }

  /**
   * Padded word "<word>": every n-gram for n in [charNgramMin, charNgramMax]. The padded word is
   * copied into a small buffer first so the hashing loop has no branches for the padding.
   */
  private addCharNgrams(start: number, end: number): void {
    const { charNgramMin, charNgramMax } = this.config;
    const padded = this.paddedWord;
    const folded = this.folded;
    const wordLength = end - start;
    padded[0] = WORD_START;
    for (let k = 0; k < wordLength; k++) padded[k + 1] = folded[start + k]!;
    padded[wordLength + 1] = WORD_END;
    const paddedLength = wordLength + 2;
    for (let first = 0; first < paddedLength; first++) {
      let hash: number = CHAR_NGRAM_SEED;
      const lastLength = Math.min(charNgramMax, paddedLength - first);
      for (let n = 1; n <= lastLength; n++) {
        hash = Math.imul(hash ^ padded[first + n - 1]!, FNV_PRIME);
        // Position p of the padded word is text position start + p - 1: the padding falls on the
        // separators around the word, which describe() shows as "<" and ">".
        if (n >= charNgramMin) this.push(hash, FeatureKind.CharNgram, start + first - 1, start + first + n - 1);
      }
    }
  }

  private addHanNgrams(start: number, end: number): void {
    const maxN = this.config.hanNgramMax;
    for (let first = start; first < end; first++) {
      let hash: number = KIND_SEEDS[FeatureKind.HanNgram];
      const last = Math.min(end, first + maxN);
      for (let i = first; i < last; i++) {
        hash = Math.imul(hash ^ this.folded[i]!, FNV_PRIME);
        this.push(hash, FeatureKind.HanNgram, first, i + 1);
      }
    }
  }

  private hashRange(seed: number, start: number, end: number): number {
    let hash = seed;
    for (let i = start; i < end; i++) hash = Math.imul(hash ^ this.folded[i]!, FNV_PRIME);
    return hash;
  }

  private push(hash: number, kind: FeatureKind, start: number, end: number): void {
    this.occurrences++;
    // A final avalanche step spreads FNV's weak low bits over the bucket index.
    let mixed = hash ^ (hash >>> 15);
    mixed = Math.imul(mixed, 0x85ebca6b);
    mixed ^= mixed >>> 13;
    const bucket = mixed & this.bucketMask;
    const mark = this.table[bucket << 1]!;
    if (mark >>> 16 === this.generation) {
      this.counts[mark & 0xffff]!++;
      return;
    }
    const index = this.count++;
    this.table[bucket << 1] = (this.generation << 16) | index;
    this.buckets[index] = bucket;
    this.counts[index] = 1;
    this.kinds[index] = kind;
    this.starts[index] = start;
    this.ends[index] = end;
  }
}
