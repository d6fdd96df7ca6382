import { describe, expect, it } from 'vitest';
import { FeatureExtractor, type FeatureConfig } from '../src/features.ts';
import { referenceFeatures, type ReferenceFeatures } from '../src/reference-features.ts';
import { DEFAULT_MODEL_PATH, readModelArtifact } from '../src/model.ts';
import { randomTexts } from './random-text.ts';

/**
 * The kernel against its specification (src/reference-features.ts) on seeded random Unicode text:
 * every case must give the same folded text, buckets, counts, kinds, spans and occurrences.
 */

function kernelFeatures(extractor: FeatureExtractor, text: string): ReferenceFeatures {
  const distinct = extractor.extract(text);
  const take = (array: ArrayLike<number>) => Array.from({ length: distinct }, (_, index) => array[index]!);
  return {
    folded: Array.from(extractor.folded.subarray(0, extractor.foldedLength)),
    buckets: take(extractor.buckets),
    counts: take(extractor.counts),
    kinds: take(extractor.kinds),
    spanStarts: take(extractor.starts),
    spanEnds: take(extractor.ends),
    occurrences: extractor.occurrences,
  };
}

const CONFIGS: Array<[string, FeatureConfig]> = [
  ["the committed model's", readModelArtifact(DEFAULT_MODEL_PATH).features],
  // Few buckets: different features share a bucket, so counts add up across kinds.
  ['8 hash bits, char 1–6-grams, Han 1–4-grams', { hashBits: 8, charNgramMin: 1, charNgramMax: 6, hanNgramMax: 4, maxChars: 300 }],
  ['char 3-grams only, Han unigrams, a short cut', { hashBits: 12, charNgramMin: 3, charNgramMax: 3, hanNgramMax: 1, maxChars: 64 }],
];

describe('the kernel against the reference extractor', () => {
  it.each(CONFIGS)('agrees on 4,000 random Unicode texts under %s settings', (_name, config) => {
    const extractor = new FeatureExtractor(config);
    const texts = randomTexts(config.hashBits * 1_000 + config.maxChars, 4_000, config.maxChars);
    let features = 0;
    for (const text of texts) {
      const expected = referenceFeatures(text, config);
      const actual = kernelFeatures(extractor, text);
      if (JSON.stringify(actual) !== JSON.stringify(expected)) expect({ text, ...actual }).toEqual({ text, ...expected });
      features += expected.buckets.length;
    }
    // The texts are not trivial: they make many features, of every kind.
    expect(features).toBeGreaterThan(texts.length * 20);
  });

  it('still agrees after 70,000 messages, past the wrap of its per-message generation counter', () => {
    const config = CONFIGS[1]![1];
    const extractor = new FeatureExtractor(config);
    const texts = randomTexts(99, 1_000, 40).map((text) => text.slice(0, 12));
    for (let round = 0; round < 70; round++) {
      for (const text of texts) extractor.extract(text);
      const text = texts[round]!;
      expect(kernelFeatures(extractor, text)).toEqual(referenceFeatures(text, config));
    }
  });

  it('covers what it claims: cuts at maxChars, long words, lone surrogates, every feature kind', () => {
    const config = CONFIGS[0]![1];
    const texts = randomTexts(config.hashBits * 1_000 + config.maxChars, 4_000, config.maxChars);
    expect(texts.some((text) => text.length > config.maxChars)).toBe(true);
    expect(texts.some((text) => /[a-z]{41}/.test(text))).toBe(true);
    expect(texts.some((text) => /[\ud800-\udbff](?![\udc00-\udfff])/.test(text))).toBe(true);
    const kinds = new Set(texts.slice(0, 200).flatMap((text) => referenceFeatures(text, config).kinds));
    expect([...kinds].sort()).toEqual([0, 1, 2, 3]);
  });
});
