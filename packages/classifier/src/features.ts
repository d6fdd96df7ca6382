import { CharClass, JOINER, charClassOf, foldCode } from './normalize.ts';

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
const FNV_PRIME = 16777619;
const WORD_START = 0x3c; // "<"
const WORD_END = 0x3e; // ">"
const MAX_WORD_LENGTH = 40;

/**
 * Turns text into hashed feature occurrences, reusing its buffers across calls: one extractor
 * per classifier, never shared between concurrent callers (JavaScript is single-threaded, so
 * synchronous use is safe).
 *
 * Every occurrence has the same value, 1/sqrt(count), so a message's score is a sum of weights.
 * Occurrences are kept with where they came from so the strongest ones can be named afterwards.
 */
export class FeatureExtractor {
  readonly config: FeatureConfig;
  count = 0;
  readonly buckets: Int32Array;
  readonly kinds: Uint8Array;
  readonly starts: Int32Array;
  readonly ends: Int32Array;
  /** The folded text, separators kept, joiners dropped; starts/ends index into it. */
  readonly folded: Uint16Array;
  foldedLength = 0;
  private readonly bucketMask: number;

  constructor(config: FeatureConfig) {
    this.config = config;
    this.bucketMask = (1 << config.hashBits) - 1;
    const perChar = config.charNgramMax - config.charNgramMin + 1 + config.hanNgramMax + 2;
    const capacity = (config.maxChars + 2) * perChar + 16;
    this.buckets = new Int32Array(capacity);
    this.kinds = new Uint8Array(capacity);
    this.starts = new Int32Array(capacity);
    this.ends = new Int32Array(capacity);
    this.folded = new Uint16Array(config.maxChars + 1);
  }

  /** Extracts the features of `text`; returns how many occurrences were found. */
  extract(text: string): number {
    this.count = 0;
    const folded = this.folded;
    const limit = Math.min(text.length, this.config.maxChars);
    let length = 0;
    for (let i = 0; i < limit; i++) {
      const code = foldCode(text.charCodeAt(i));
      if (code !== JOINER) folded[length++] = code;
    }
    this.foldedLength = length;

    let previousWordHash = 0;
    let previousWordStart = -1;
    let i = 0;
    while (i < length) {
      const charClass = charClassOf(folded[i]!);
      if (charClass === CharClass.Separator) {
        i++;
        continue;
      }
      const start = i;
      while (i < length && charClassOf(folded[i]!) === charClass) i++;
      if (charClass === CharClass.Word) {
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

  /** Human-readable form of occurrence `index`, for explanations. */
  describe(index: number): string {
    const start = this.starts[index]!;
    const end = this.ends[index]!;
    const kind = this.kinds[index]! as FeatureKind;
    let body = '';
    for (let i = start; i < end; i++) {
      const isPadding = kind === FeatureKind.CharNgram && (i < 0 || i >= this.foldedLength || charClassOf(this.folded[i]!) !== CharClass.Word);
      body += isPadding ? (i === start ? '<' : '>') : String.fromCharCode(this.folded[i]!);
    }
    switch (kind) {
      case FeatureKind.Word:
        return `word:${body}`;
      case FeatureKind.WordBigram:
        return `words:${body.replace(/[^\p{L}\p{N}]+/gu, ' ')}`;
      case FeatureKind.CharNgram:
        return `chars:${body}`;
      case FeatureKind.HanNgram:
        return `han:${body}`;
    }
  }

  /** Padded word "<word>": every n-gram for n in [charNgramMin, charNgramMax], hashed incrementally. */
  private addCharNgrams(start: number, end: number): void {
    const { charNgramMin, charNgramMax } = this.config;
    const paddedLength = end - start + 2;
    for (let first = 0; first < paddedLength; first++) {
      let hash: number = KIND_SEEDS[FeatureKind.CharNgram];
      const lastLength = Math.min(charNgramMax, paddedLength - first);
      for (let n = 1; n <= lastLength; n++) {
        const position = first + n - 1;
        const code = position === 0 ? WORD_START : position === paddedLength - 1 ? WORD_END : this.folded[start + position - 1]!;
        hash = Math.imul(hash ^ code, FNV_PRIME);
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
    const index = this.count++;
    // A final avalanche step spreads FNV's weak low bits over the bucket index.
    let mixed = hash ^ (hash >>> 15);
    mixed = Math.imul(mixed, 0x85ebca6b);
    mixed ^= mixed >>> 13;
    this.buckets[index] = mixed & this.bucketMask;
    this.kinds[index] = kind;
    this.starts[index] = start;
    this.ends[index] = end;
  }
}
