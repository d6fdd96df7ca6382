import { Kernel } from './kernel.ts';
import * as normalize from './normalize.ts';

// Module-local copies: an imported binding is read through a getter on every use when the
// package runs under tsx.
const CHAR_CLASS = normalize.CHAR_CLASS;
const SEPARATOR_CODE = normalize.SEPARATOR;
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

const WORD_START = 0x3c; // "<"
const WORD_END = 0x3e; // ">"

/**
 * Turns text into hashed features: the text is folded (`normalize.ts`: case, width, digits,
 * Traditional → Simplified); each word (a run of Latin letters and digits, cut at 40) gives itself,
 * a bigram with the previous word and its character n-grams padded with "<" and ">"; each run of
 * Han characters gives its 1..hanNgramMax-grams. The work is done by the WebAssembly kernel
 * (`kernel.wat`, which says why); this class is its reader-facing side, reusing the kernel's
 * buffers across calls: one extractor per classifier, never shared between concurrent callers
 * (JavaScript is single-threaded, so synchronous use is safe).
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
  private readonly kernel: Kernel;
  private readonly describedCodes: Uint16Array;

  /** @param kernel the kernel to work in (the classifier passes one holding its weights); a new one when not given */
  constructor(config: FeatureConfig, kernel: Kernel = new Kernel(config)) {
    this.config = config;
    this.kernel = kernel;
    this.buckets = kernel.buckets;
    this.counts = kernel.counts;
    this.kinds = kernel.kinds;
    this.starts = kernel.spanStarts;
    this.ends = kernel.spanEnds;
    this.folded = kernel.folded;
    this.describedCodes = new Uint16Array(config.maxChars + 2);
  }

  /** Extracts the features of `text`; returns how many distinct buckets were found. */
  extract(text: string): number {
    const kernel = this.kernel;
    this.count = kernel.extract(text);
    this.occurrences = kernel.occurrences();
    this.foldedLength = kernel.foldedLength();
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
}
