import { createHash } from 'node:crypto';
import { MODEL_FORMAT, type FeatureConfig, type ModelArtifact, type ModelClass } from '@switchboard/classifier';

/**
 * Builds the artifact from dense float weights laid out bucket-major ([bucket × classCount + class]).
 * The version is a hash of the content, so identical training gives an identical version.
 *
 * Softmax is unchanged when the same constant is added to every class's logit, so each bucket's
 * weights may be shifted by a constant of that bucket's own choosing: the shift that puts the most
 * of them within the pruning threshold of zero (the densest window of that width, which is where
 * the mass of small, similar weights a feature has for the classes it says nothing about lies)
 * turns those into zeros, which are not stored and cost nothing when classifying. Quantised weights
 * with |w| < pruneBelow are dropped (the held-out split decides how far that can go).
 */
export function encodeArtifact(
  denseWeights: Float32Array,
  bias: ArrayLike<number>,
  classes: ModelClass[],
  features: FeatureConfig,
  training: Record<string, unknown>,
  pruneBelow = 1,
): ModelArtifact {
  const classCount = classes.length;
  if (classCount > 255) throw new Error('at most 255 classes fit the one-byte class index');
  const bucketCount = 1 << features.hashBits;
  const row = new Float32Array(classCount);
  // The window is (2 × pruneBelow − 1) steps wide: weights inside it round to |w| < pruneBelow.
  // Its width in real units needs the step, which needs the largest shifted weight; the step that
  // shifting by the median gives is used (the final step, computed below, differs little).
  let medianMaxAbs = 0;
  for (let bucket = 0; bucket < bucketCount; bucket++) {
    const median = sortedRow(denseWeights, bucket, classCount, row)[(classCount - 1) >> 1]!;
    medianMaxAbs = Math.max(medianMaxAbs, median - row[0]!, row[classCount - 1]! - median);
  }
  const window = ((2 * Math.max(pruneBelow, 1) - 1) * medianMaxAbs) / 127;
  const shifted = new Float32Array(denseWeights.length);
  let maxAbs = 0;
  for (let bucket = 0; bucket < bucketCount; bucket++) {
    sortedRow(denseWeights, bucket, classCount, row);
    const median = row[(classCount - 1) >> 1]!;
    // Sliding window over the sorted weights; ties go to the shift nearest the median.
    let most = 0;
    let shift = median;
    let low = 0;
    for (let high = 0; high < classCount; high++) {
      while (row[high]! - row[low]! >= window) low++;
      const candidate = (row[high]! + row[low]!) / 2;
      if (high - low + 1 > most || (high - low + 1 === most && Math.abs(candidate - median) < Math.abs(shift - median))) {
        most = high - low + 1;
        shift = candidate;
      }
    }
    const base = bucket * classCount;
    for (let classIndex = 0; classIndex < classCount; classIndex++) {
      const weight = denseWeights[base + classIndex]! - shift;
      shifted[base + classIndex] = weight;
      maxAbs = Math.max(maxAbs, Math.abs(weight));
    }
  }
  const weightScale = maxAbs / 127 || 1;
  const counts = new Uint8Array(bucketCount);
  const entryClasses: number[] = [];
  const entryWeights: number[] = [];
  for (let bucket = 0; bucket < bucketCount; bucket++) {
    for (let classIndex = 0; classIndex < classCount; classIndex++) {
      const quantised = Math.round(shifted[bucket * classCount + classIndex]! / weightScale);
      if (Math.abs(quantised) < pruneBelow || quantised === 0) continue;
      counts[bucket]!++;
      entryClasses.push(classIndex);
      entryWeights.push(quantised);
    }
  }
  const encoded = {
    bucketEntryCounts: Buffer.from(counts).toString('base64'),
    entryClasses: Buffer.from(Uint8Array.from(entryClasses)).toString('base64'),
    entryWeights: Buffer.from(Int8Array.from(entryWeights).buffer).toString('base64'),
  };
  const roundedBias = Array.from(bias, (value) => Number(value.toFixed(6)));
  const digest = createHash('sha256')
    .update(JSON.stringify({ features, classes, roundedBias, weightScale }))
    .update(encoded.bucketEntryCounts)
    .update(encoded.entryClasses)
    .update(encoded.entryWeights)
    .digest('hex');
  return {
    format: MODEL_FORMAT,
    classifierVersion: `hash-linear-${digest.slice(0, 12)}`,
    features,
    classes,
    bias: roundedBias,
    weightScale,
    ...encoded,
    training,
  };
}

/** Fills `row` with bucket `bucket`'s weights, sorted ascending, and returns it. */
function sortedRow(denseWeights: Float32Array, bucket: number, classCount: number, row: Float32Array): Float32Array {
  const base = bucket * classCount;
  for (let classIndex = 0; classIndex < classCount; classIndex++) row[classIndex] = denseWeights[base + classIndex]!;
  return row.sort();
}
