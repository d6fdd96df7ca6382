import { FeatureKind, type FeatureConfig } from './features.ts';
import { CHAR_CLASS, CharClass, FOLD, MAX_WORD_LENGTH } from './normalize.ts';

/**
 * The executable specification of feature extraction: what `kernel.wat`'s `extract` computes, in
 * plain TypeScript with ordinary arrays and a Map, written for reading rather than speed. Nothing
 * classifies with it; a test runs it and the kernel on random Unicode text and requires identical
 * results, so a change to one that the other does not share fails there.
 */
export interface ReferenceFeatures {
  /** The folded UTF-16 units: the first maxChars units of the text through the fold table, joiners dropped. */
  folded: number[];
  /** Distinct buckets in order of first occurrence, each with its count, kind and first span. */
  buckets: number[];
  counts: number[];
  kinds: FeatureKind[];
  spanStarts: number[];
  spanEnds: number[];
  /** Every feature occurrence, repeats included. */
  occurrences: number;
}

const JOINER = 0;
const FNV_PRIME = 16777619;
/** FNV-1a offset basis of a word; the other kinds start from seeds of their own so they do not collide by construction. */
const WORD_SEED = 0x811c9dc5;
const CHAR_NGRAM_SEED = 0x5bd1e995;
const HAN_NGRAM_SEED = 0x1b873593;
const WORD_START = 0x3c; // "<"
const WORD_END = 0x3e; // ">"

/** One FNV-1a step on a 16-bit unit, in 32-bit arithmetic. */
const fnvStep = (hash: number, unit: number): number => Math.imul(hash ^ unit, FNV_PRIME);

/** A pair of words: the previous word's hash combined with this one's. */
const bigramHash = (previous: number, word: number): number => Math.imul(previous ^ Math.imul(word, 0x9e3779b1), FNV_PRIME) ^ 0x2f1a3b6d;

/** A final avalanche step spreads FNV's weak low bits over the bucket index. */
function bucketOf(hash: number, bucketMask: number): number {
  let mixed = hash ^ (hash >>> 15);
  mixed = Math.imul(mixed, 0x85ebca6b);
  return (mixed ^ (mixed >>> 13)) & bucketMask;
}

export function referenceFeatures(text: string, config: FeatureConfig): ReferenceFeatures {
  const bucketMask = (1 << config.hashBits) - 1;
  const result: ReferenceFeatures = { folded: [], buckets: [], counts: [], kinds: [], spanStarts: [], spanEnds: [], occurrences: 0 };
  const slotOfBucket = new Map<number, number>();
  const push = (hash: number, kind: FeatureKind, start: number, end: number) => {
    result.occurrences++;
    const bucket = bucketOf(hash, bucketMask);
    const slot = slotOfBucket.get(bucket);
    if (slot !== undefined) {
      result.counts[slot]!++;
      return;
    }
    slotOfBucket.set(bucket, result.buckets.length);
    result.buckets.push(bucket);
    result.counts.push(1);
    result.kinds.push(kind);
    result.spanStarts.push(start);
    result.spanEnds.push(end);
  };

  const length = Math.min(text.length, config.maxChars);
  for (let i = 0; i < length; i++) {
    const code = FOLD[text.charCodeAt(i)]!;
    if (code !== JOINER) result.folded.push(code);
  }
  const folded = result.folded;
  const classOf = (i: number) => CHAR_CLASS[folded[i]!]!;

  let previousWord: { hash: number; start: number } | undefined;
  let i = 0;
  while (i < folded.length) {
    const runClass = classOf(i);
    if (runClass === CharClass.Separator) {
      i++;
      continue;
    }
    const start = i;
    while (i < folded.length && classOf(i) === runClass) i++;
    if (runClass === CharClass.Word) {
      const end = Math.min(i, start + MAX_WORD_LENGTH);
      let hash = WORD_SEED;
      for (let k = start; k < end; k++) hash = fnvStep(hash, folded[k]!);
      push(hash, FeatureKind.Word, start, end);
      if (previousWord) push(bigramHash(previousWord.hash, hash), FeatureKind.WordBigram, previousWord.start, end);
      previousWord = { hash, start };
      // The word padded to "<word>": position p of the padded word is folded position start + p − 1.
      const padded = [WORD_START, ...folded.slice(start, end), WORD_END];
      for (let first = 0; first < padded.length; first++) {
        let gram = CHAR_NGRAM_SEED;
        for (let n = 1; n <= Math.min(config.charNgramMax, padded.length - first); n++) {
          gram = fnvStep(gram, padded[first + n - 1]!);
          if (n >= config.charNgramMin) push(gram, FeatureKind.CharNgram, start + first - 1, start + first + n - 1);
        }
      }
    } else {
      // A Han run breaks the chain of word bigrams, and gives its 1..hanNgramMax-grams.
      previousWord = undefined;
      for (let first = start; first < i; first++) {
        let gram = HAN_NGRAM_SEED;
        for (let last = first; last < Math.min(i, first + config.hanNgramMax); last++) {
          gram = fnvStep(gram, folded[last]!);
          push(gram, FeatureKind.HanNgram, first, last + 1);
        }
      }
    }
  }
  return result;
}
