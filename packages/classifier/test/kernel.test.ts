import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { assembleKernel, KERNEL_SOURCE_PATH } from '../scripts/assemble-kernel.ts';
import { seededRandom } from '@switchboard/runtime';
import type { FeatureConfig } from '../src/features.ts';
import { Kernel, kernelSettingNames, type KernelLayout } from '../src/kernel.ts';
import { KERNEL_WASM_BASE64 } from '../src/kernel-wasm.ts';
import { referenceFeatures } from '../src/reference-features.ts';
import { randomTexts } from './random-text.ts';

const config: FeatureConfig = { hashBits: 8, charNgramMin: 3, charNgramMax: 5, hanNgramMax: 3, maxChars: 200 };

/** The sums the kernel must produce, computed the plain way. */
function referenceSums(starts: Uint32Array, entries: Uint16Array, buckets: number[], counts: number[], classCount: number): number[] {
  const sums = new Array<number>(classCount).fill(0);
  buckets.forEach((bucket, index) => {
    for (let entry = starts[bucket]!; entry < starts[bucket + 1]!; entry++) {
      const packed = entries[entry]!;
      sums[packed >>> 8]! += counts[index]! * ((packed << 24) >> 24);
    }
  });
  return sums;
}

/** The features among `buckets` that `strongest` must name for `classIndex`, strongest first, the plain way. */
function referenceStrongest(weightOf: (bucket: number) => number | undefined, features: ReturnType<typeof referenceFeatures>, capacity: number): number[] {
  return features.buckets
    .map((bucket, index) => ({ index, weight: weightOf(bucket) ?? 0 }))
    .filter(({ index, weight }) => weight > 0 && features.kinds[index] !== 2 && !(features.kinds[index] === 3 && features.spanEnds[index]! - features.spanStarts[index]! < 2))
    .sort((a, b) => b.weight - a.weight || a.index - b.index)
    .slice(0, capacity)
    .map(({ index }) => index);
}

describe('Kernel', () => {
  it('is the committed binary of src/kernel.wat', async () => {
    const assembled = await assembleKernel(readFileSync(KERNEL_SOURCE_PATH, 'utf8'));
    expect(Buffer.from(assembled).toString('base64')).toBe(KERNEL_WASM_BASE64);
  });

  it('is configured by name: the settings kernel.wat exports are exactly the fields of KernelLayout', () => {
    // A Record over the keys, so the compiler fails here when KernelLayout gains a field this list lacks.
    const fields: Record<keyof KernelLayout, true> = {
      foldTable: true, classTable: true, text: true, folded: true, padded: true, marks: true, buckets: true, counts: true,
      kinds: true, spanStarts: true, spanEnds: true, bucketMask: true, charMin: true, charMax: true, hanMax: true, maxWordLength: true,
    };
    expect(kernelSettingNames().sort()).toEqual(Object.keys(fields).sort());
  });

  it('sums and names the strongest features as the plain computation does, for random weights and texts', () => {
    const random = seededRandom(5);
    const classCount = 40;
    const bucketCount = 1 << config.hashBits;
    // Each bucket: a random subset of the classes (ascending, as the model stores them), random int8 weights.
    const starts = new Uint32Array(bucketCount + 1);
    const packed: number[] = [];
    const weightTable = new Map<string, number>();
    for (let bucket = 0; bucket < bucketCount; bucket++) {
      starts[bucket] = packed.length;
      for (let classIndex = 0; classIndex < classCount; classIndex++) {
        if (random() > 0.2) continue;
        const weight = Math.floor(random() * 256) - 128;
        packed.push((classIndex << 8) | (weight & 0xff));
        weightTable.set(`${bucket}/${classIndex}`, weight);
      }
    }
    starts[bucketCount] = packed.length;
    const entries = Uint16Array.from(packed);
    const kernel = new Kernel(config, { starts, entries, classCount });
    for (const text of randomTexts(11, 1_500, config.maxChars)) {
      const expected = referenceFeatures(text, config);
      const distinct = kernel.extract(text);
      expect(distinct).toBe(expected.buckets.length);
      expect(Array.from(kernel.accumulate(distinct))).toEqual(referenceSums(starts, entries, expected.buckets, expected.counts, classCount));
      const classIndex = Math.floor(random() * classCount);
      const capacity = 1 + Math.floor(random() * 16);
      const kept = kernel.strongest(distinct, classIndex, capacity);
      const strongest = referenceStrongest((bucket) => weightTable.get(`${bucket}/${classIndex}`), expected, capacity);
      expect(Array.from(kernel.strongestFeatures.subarray(0, kept))).toEqual(strongest);
    }
  });

  it('sums count × weight per class over the given buckets, from zero on every call', () => {
    // Six buckets, 5 classes; buckets 2 and 5 have no entries; weights span the int8 range.
    const classCount = 5;
    const bucketEntries: Array<Array<[number, number]>> = [[[0, 3], [4, -128]], [[1, 127], [2, -1], [3, 5]], [], [[0, -7]], [[2, 1], [4, 2]], []];
    const starts = new Uint32Array(bucketEntries.length + 1);
    const packed: number[] = [];
    bucketEntries.forEach((list, bucket) => {
      starts[bucket] = packed.length;
      for (const [classIndex, weight] of list) packed.push((classIndex << 8) | (weight & 0xff));
    });
    starts[bucketEntries.length] = packed.length;
    const entries = Uint16Array.from(packed);
    const kernel = new Kernel(config, { starts, entries, classCount });

    const messages: Array<{ buckets: number[]; counts: number[] }> = [
      { buckets: [1, 0, 3, 2], counts: [1, 2, 3, 1] },
      { buckets: [4, 5], counts: [300, 1] },
      { buckets: [], counts: [] },
    ];
    for (const { buckets, counts } of messages) {
      kernel.buckets.set(buckets);
      kernel.counts.set(counts);
      expect(Array.from(kernel.accumulate(buckets.length))).toEqual(referenceSums(starts, entries, buckets, counts, classCount));
    }
    // One case by hand, so the reference is checked too.
    kernel.buckets.set([1, 0, 3]);
    kernel.counts.set([1, 2, 3]);
    expect(Array.from(kernel.accumulate(3))).toEqual([2 * 3 + 3 * -7, 127, -1, 5, 2 * -128]);
  });

  it('refuses to sum without weights', () => {
    expect(() => new Kernel(config).accumulate(0)).toThrow(/without weights/);
  });

  it('reads the UTF-16 units of the text as they are, lone surrogates included', () => {
    const kernel = new Kernel(config);
    kernel.extract('a\ud800b');
    expect(kernel.foldedLength()).toBe(3);
    expect(Array.from(kernel.folded.subarray(0, 3))).toEqual([0x61, 0xd800, 0x62]);
  });

  it('names the features with the largest positive weight for a class, strongest first', () => {
    const classCount = 3;
    const kernel = new Kernel(config);
    const distinct = kernel.extract('my card was stolen 卡被盗了 card');
    const kinds = Array.from(kernel.kinds.subarray(0, distinct));
    const buckets = Array.from(kernel.buckets.subarray(0, distinct));
    // Every bucket gets a weight for class 1 from its number (some negative, some tied) and one for class 2.
    const bucketCount = 1 << config.hashBits;
    const weightOf = (bucket: number): number => ((bucket * 37) % 21) - 6;
    const starts = new Uint32Array(bucketCount + 1);
    const packed: number[] = [];
    for (let bucket = 0; bucket < bucketCount; bucket++) {
      starts[bucket] = packed.length;
      if (bucket % 5 !== 0) packed.push((1 << 8) | (weightOf(bucket) & 0xff));
      packed.push((2 << 8) | 9);
    }
    starts[bucketCount] = packed.length;
    const weighted = new Kernel(config, { starts, entries: Uint16Array.from(packed), classCount });
    expect(weighted.extract('my card was stolen 卡被盗了 card')).toBe(distinct);

    const spans = Array.from({ length: distinct }, (_, index) => weighted.spanEnds[index]! - weighted.spanStarts[index]!);
    const expected = buckets
      .map((bucket, index) => ({ index, weight: bucket % 5 !== 0 ? weightOf(bucket) : 0 }))
      .filter(({ index, weight }) => weight > 0 && kinds[index] !== 2 && !(kinds[index] === 3 && spans[index]! < 2))
      .sort((a, b) => b.weight - a.weight || a.index - b.index)
      .slice(0, 4)
      .map(({ index }) => index);
    expect(expected.length).toBe(4);
    const kept = weighted.strongest(distinct, 1, 4);
    expect(Array.from(weighted.strongestFeatures.subarray(0, kept))).toEqual(expected);
    // Class 0 has no entries anywhere: nothing to name.
    expect(weighted.strongest(distinct, 0, 4)).toBe(0);
  });
});
