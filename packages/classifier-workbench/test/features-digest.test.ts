import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FeatureExtractor, readModelArtifact } from '@switchboard/classifier';
import { EVALUATION_DIR } from '../src/data.ts';

describe('the features of the evaluation texts', () => {
  it('extracts exactly the features the committed model was trained on', () => {
    // A digest of every feature (bucket, count, kind, span) of the evaluation texts and some edge
    // cases, taken when extraction moved from TypeScript into src/kernel.wat (the two agreed on all
    // 59,724 extractions compared then). It changes only if extraction does: then retrain and update it.
    const edgeCases = ['', 'a', "didn't", 'ＵＳＤ 42.50！', 'a\ud800b\udc00\ud83d\ude00 😀', 'mixed我的card被盗了abc', 'Ünïcödé straße', 'fee fee fee', 'x'.repeat(60), '退款'.repeat(2100)];
    const texts = [...edgeCases];
    for (const file of readdirSync(EVALUATION_DIR).sort()) {
      texts.push(...readFileSync(join(EVALUATION_DIR, file), 'utf8').split('\n').filter(Boolean).map((line) => (JSON.parse(line) as { text: string }).text));
    }
    const extractor = new FeatureExtractor(readModelArtifact().features);
    const digest = createHash('sha256');
    for (const text of texts) {
      const distinct = extractor.extract(text);
      digest.update(Int32Array.from([distinct, extractor.occurrences, extractor.foldedLength]));
      for (const array of [extractor.buckets, extractor.counts, extractor.kinds, extractor.starts, extractor.ends]) digest.update(array.subarray(0, distinct));
    }
    expect(digest.digest('hex')).toBe('6278fbc4659c92a52d7fd138081313f18f3fdab5fca290eb818eb40f9ef1001b');
  });
});
