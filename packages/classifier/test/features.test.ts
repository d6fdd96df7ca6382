import { describe, expect, it } from 'vitest';
import { FeatureExtractor, type FeatureConfig } from '../src/features.ts';
import { foldText } from '../src/normalize.ts';

const config: FeatureConfig = { hashBits: 16, charNgramMin: 3, charNgramMax: 5, hanNgramMax: 3, maxChars: 200 };

function featureNames(text: string): string[] {
  const extractor = new FeatureExtractor(config);
  const count = extractor.extract(text);
  return Array.from({ length: count }, (_, index) => extractor.describe(index));
}

function buckets(text: string): number[] {
  const extractor = new FeatureExtractor(config);
  return Array.from(extractor.buckets.subarray(0, extractor.extract(text)));
}

describe('foldText', () => {
  it('lower-cases, folds full-width forms and digits, and drops apostrophes', () => {
    expect(foldText("I DIDN'T pay ＵＳＤ 42.50！")).toBe('i didnt pay usd 00.00!');
  });

  it('folds Traditional characters to Simplified', () => {
    expect(foldText('轉帳失敗，錢還沒到')).toBe('转账失败,钱还没到');
  });
});

describe('FeatureExtractor', () => {
  it('makes word, word-bigram and padded character n-gram features from English', () => {
    const names = featureNames('Card declined');
    expect(names).toContain('word:card');
    expect(names).toContain('word:declined');
    expect(names).toContain('words:card declined');
    const charNgramsOfCard = names.slice(names.indexOf('word:card') + 1, names.indexOf('word:declined'));
    expect(charNgramsOfCard).toEqual(['chars:<ca', 'chars:<car', 'chars:<card', 'chars:car', 'chars:card', 'chars:card>', 'chars:ard', 'chars:ard>', 'chars:rd>']);
  });

  it('makes Han n-grams up to hanNgramMax from Chinese, which has no spaces', () => {
    const names = featureNames('被盗刷');
    expect(names).toEqual(['han:被', 'han:被盗', 'han:被盗刷', 'han:盗', 'han:盗刷', 'han:刷']);
  });

  it('gives Traditional and Simplified spellings the same features', () => {
    expect(buckets('我的帳號被盜了')).toEqual(buckets('我的账号被盗了'));
  });

  it('is deterministic and keeps buckets inside the hash space', () => {
    const first = buckets('@wallet my payment failed again!! 付款失败');
    expect(buckets('@wallet my payment failed again!! 付款失败')).toEqual(first);
    for (const bucket of first) expect(bucket).toBeGreaterThanOrEqual(0);
    for (const bucket of first) expect(bucket).toBeLessThan(1 << config.hashBits);
    expect(new Set(first).size).toBeGreaterThan(first.length * 0.9);
  });

  it('counts a repeated feature once, with how often it occurred', () => {
    const extractor = new FeatureExtractor(config);
    const distinct = extractor.extract('fee fee fee');
    const names = Array.from({ length: distinct }, (_, index) => extractor.describe(index));
    expect(names.filter((name) => name === 'word:fee')).toHaveLength(1);
    expect(extractor.counts[names.indexOf('word:fee')]).toBe(3);
    expect(extractor.counts[names.indexOf('words:fee fee')]).toBe(2);
    expect(extractor.occurrences).toBe(Array.from(extractor.counts.subarray(0, distinct)).reduce((sum, count) => sum + count, 0));
    // The next message starts afresh: nothing carries over from the stamps of the last one.
    expect(extractor.extract('fee')).toBe(7);
    expect(extractor.occurrences).toBe(7);
  });

  it('reads only the first maxChars characters of long messages', () => {
    const extractor = new FeatureExtractor(config);
    const long = 'refund '.repeat(1000);
    extractor.extract(long);
    expect(extractor.foldedLength).toBe(config.maxChars);
  });

  it('reuses its buffers: a short message after a long one has only its own features', () => {
    const extractor = new FeatureExtractor(config);
    extractor.extract('a much longer message about a transfer that never arrived');
    const count = extractor.extract('fee');
    expect(Array.from({ length: count }, (_, index) => extractor.describe(index))).toEqual([
      'word:fee',
      'chars:<fe',
      'chars:<fee',
      'chars:<fee>',
      'chars:fee',
      'chars:fee>',
      'chars:ee>',
    ]);
  });

});
