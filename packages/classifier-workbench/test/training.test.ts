import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { HashLinearClassifier, loadTaxonomy } from '@switchboard/classifier';
import { EVALUATION_DIR, assertNotEvaluationFile, banking77TrainPath, ownTrainingFiles, readLabelledFile } from '../src/data.ts';
import { DEFAULT_TRAINING_OPTIONS, categoryClassName, trainModel, trainWeights, type TrainingOptions } from '../src/train.ts';
import { baseEvaluationSets } from '../src/retrain.ts';
import { buildTrainingSet } from '../src/training-set.ts';

const smallOptions: TrainingOptions = {
  ...DEFAULT_TRAINING_OPTIONS,
  features: { ...DEFAULT_TRAINING_OPTIONS.features, hashBits: 14 },
  epochs: 3,
};
const taxonomyCategories = loadTaxonomy().categoryIds;
const classes = taxonomyCategories.map((category) => ({ name: categoryClassName(category), category }));
// Every 25th BANKING77 line and every 10th line of our own data: a small subset with all categories.
const subset = [banking77TrainPath(), ...ownTrainingFiles()].flatMap((file, fileIndex) =>
  readLabelledFile(file)
    .filter((_, index) => index % (fileIndex === 0 ? 25 : 10) === 0)
    .map((row) => ({ text: row.text, classIndex: taxonomyCategories.indexOf(row.category) })),
);

describe('training', () => {
  it('gives bit-identical weights and the same version when run twice', () => {
    const first = trainWeights(subset, classes.length, smallOptions);
    const second = trainWeights(subset, classes.length, smallOptions);
    expect(Buffer.from(second.weights.buffer).equals(Buffer.from(first.weights.buffer))).toBe(true);
    expect(Array.from(second.bias)).toEqual(Array.from(first.bias));
    expect(first.weights.some((weight) => weight !== 0)).toBe(true);
    const artifact = trainModel(subset, classes, smallOptions, {});
    expect(trainModel(subset, classes, smallOptions, {}).classifierVersion).toBe(artifact.classifierVersion);
    expect(artifact.classifierVersion).toMatch(/^hash-linear-[0-9a-f]{12}$/);
  });

  it('leaves features out when dropout is on, and refuses a dropout outside [0, 1)', () => {
    const withDropout = trainWeights(subset, classes.length, smallOptions);
    const without = trainWeights(subset, classes.length, { ...smallOptions, dropout: 0 });
    expect(smallOptions.dropout).toBeGreaterThan(0);
    expect(Buffer.from(without.weights.buffer).equals(Buffer.from(withDropout.weights.buffer))).toBe(false);
    expect(() => trainWeights(subset, classes.length, { ...smallOptions, dropout: 1 })).toThrow(/dropout/);
    expect(() => trainWeights(subset, classes.length, { ...smallOptions, dropout: Number('x') })).toThrow(/dropout/);
  });

  it('depends on the seed, so determinism is not an accident of an unused PRNG', () => {
    const first = trainWeights(subset, classes.length, smallOptions);
    const reseeded = trainWeights(subset, classes.length, { ...smallOptions, seed: smallOptions.seed + 1 });
    expect(Buffer.from(reseeded.weights.buffer).equals(Buffer.from(first.weights.buffer))).toBe(false);
  });

  it('learns its training data: a model trained on the subset classifies most of it right', () => {
    const artifact = trainModel(subset, classes, smallOptions, {});
    const classifier = new HashLinearClassifier(artifact, loadTaxonomy());
    const correct = subset.filter((example) => classifier.classify(example.text).category === taxonomyCategories[example.classIndex]).length;
    expect(correct / subset.length).toBeGreaterThan(0.9);
  });

  it('refuses evaluation files', () => {
    expect(() => assertNotEvaluationFile(join(EVALUATION_DIR, 'zh.jsonl'))).toThrow(/evaluation data/);
    expect(() => assertNotEvaluationFile('/work/shared/data/banking77/test.jsonl')).toThrow(/evaluation data/);
    expect(() => assertNotEvaluationFile(banking77TrainPath())).not.toThrow();
  });

  it('has no evaluation line among the training lines: files, the taxonomy’s examples, the tests’ corrections and examples', () => {
    const fixtures = join(import.meta.dirname, 'fixtures');
    const loyalty = JSON.parse(readFileSync(join(fixtures, 'loyalty-points.json'), 'utf8')) as { examples: string[]; heldOut: string[] };
    const taxonomy = loadTaxonomy();
    const trainingTexts = [
      ...[banking77TrainPath(), ...ownTrainingFiles()].flatMap((file) => readLabelledFile(file).map((row) => row.text)),
      ...taxonomy.categoryIds.flatMap((category) => taxonomy.categories[category]!.examples),
      ...readFileSync(join(fixtures, 'red-packets.txt'), 'utf8').split('\n').filter(Boolean),
      ...loyalty.examples,
    ];
    const training = new Set(trainingTexts.map((text) => text.trim().toLowerCase()));
    const evaluationFiles = readdirSync(EVALUATION_DIR).filter((name) => name.endsWith('.jsonl'));
    // What the shadow evaluation scores on is exactly what this checks, and what training refuses to open.
    expect(baseEvaluationSets().map(({ set }) => set)).toEqual([...evaluationFiles].sort());
    expect(evaluationFiles).toContain('social-en-2.jsonl');
    for (const name of evaluationFiles) {
      expect(() => assertNotEvaluationFile(join(EVALUATION_DIR, name))).toThrow(/evaluation data/);
      const leaked = readFileSync(join(EVALUATION_DIR, name), 'utf8')
        .split('\n')
        .filter((line) => line.trim() !== '')
        .map((line) => (JSON.parse(line) as { text: string }).text.trim().toLowerCase())
        .filter((text) => training.has(text));
      // BANKING77 itself repeats a handful of sentences between its train and test splits.
      expect(leaked.length, `${name}: ${leaked.slice(0, 3).join(' | ')}`).toBeLessThanOrEqual(name.startsWith('banking77') ? 10 : 0);
    }
    // The lines the taxonomy test scores are not among its examples.
    expect(loyalty.heldOut.filter((text) => loyalty.examples.includes(text))).toEqual([]);
  });
});

describe('held-out splits', () => {
  const taxonomy = loadTaxonomy();
  const allLines = [banking77TrainPath(), ...ownTrainingFiles()].reduce((sum, file) => sum + readLabelledFile(file).length, 0);
  const taxonomyCategory = (row: { intent?: string; category: string }) => (row.intent !== undefined ? taxonomy.sourceIntents[row.intent]! : row.category);

  it('keeps the asked share of the lines out of training', () => {
    const { examples, heldOut } = buildTrainingSet(taxonomy, 'intents', { share: 0.1, seed: 1 });
    expect(examples.length + heldOut.length).toBe(allLines);
    expect(heldOut.length / allLines).toBeCloseTo(0.1, 2);
  });

  it('holds out disjoint folds that together hold out every line once, each fold trained on the rest', () => {
    const key = (row: { text: string; category: string }) => `${row.category}\t${row.text}`;
    const everyLine = [banking77TrainPath(), ...ownTrainingFiles()].flatMap((file) => readLabelledFile(file).map((row) => key({ text: row.text, category: taxonomyCategory(row) })));
    const heldOutOverFolds: string[] = [];
    for (let fold = 1; fold <= 4; fold++) {
      const { examples, heldOut } = buildTrainingSet(taxonomy, 'intents', { folds: 4, fold, seed: 3 });
      expect(examples.length + heldOut.length).toBe(allLines);
      expect(heldOut.length / allLines).toBeCloseTo(0.25, 1);
      heldOutOverFolds.push(...heldOut.map(key));
    }
    expect(heldOutOverFolds.sort()).toEqual(everyLine.sort());
  });

  it('refuses a fold that is not one of the folds', () => {
    expect(() => buildTrainingSet(taxonomy, 'intents', { folds: 10, fold: 0, seed: 1 })).toThrow(/fold must be/);
    expect(() => buildTrainingSet(taxonomy, 'intents', { folds: 10, fold: 11, seed: 1 })).toThrow(/fold must be/);
  });
});
