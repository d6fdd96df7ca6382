/**
 * pnpm train                     train on all training data, write model/model.json
 * pnpm train --holdout 0.1       train on 90 %, report accuracy on the held-out 10 %, write nothing
 *   [--granularity intents|categories] [--epochs N] [--lr X] [--decay X] [--l2 X] [--bits N] [--chars MIN-MAX] [--han N]
 *   [--prune N] [--idf POWER] [--dropout P] [--split-seed N]   (--split-seed picks another held-out split: differences smaller
 *   than the spread between splits are noise)
 *
 * Tuning happens only with --holdout, on a split of the training files; never on data/eval.
 */
import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { BENCH_MESSAGES } from '../src/bench.ts';
import { HashLinearClassifier } from '../src/classifier.ts';
import { evaluatePredictions } from '../src/metrics.ts';
import { DEFAULT_MODEL_PATH } from '../src/model.ts';
import { loadTaxonomy } from '../src/taxonomy.ts';
import { buildTrainingSet, type TargetGranularity } from '../src/training-set.ts';
import { DEFAULT_TRAINING_OPTIONS, trainModel, type TrainingOptions } from '../src/train.ts';

const { values } = parseArgs({
  options: {
    holdout: { type: 'string' },
    granularity: { type: 'string', default: 'intents' },
    epochs: { type: 'string' },
    lr: { type: 'string' },
    decay: { type: 'string' },
    l2: { type: 'string' },
    bits: { type: 'string' },
    chars: { type: 'string' },
    han: { type: 'string' },
    prune: { type: 'string' },
    idf: { type: 'string' },
    dropout: { type: 'string' },
    'split-seed': { type: 'string', default: '1' },
    output: { type: 'string', default: DEFAULT_MODEL_PATH },
  },
});

const defaults = DEFAULT_TRAINING_OPTIONS;
const [charMin, charMax] = (values.chars ?? `${defaults.features.charNgramMin}-${defaults.features.charNgramMax}`).split('-').map(Number);
const options: TrainingOptions = {
  ...defaults,
  features: {
    ...defaults.features,
    hashBits: Number(values.bits ?? defaults.features.hashBits),
    charNgramMin: charMin!,
    charNgramMax: charMax!,
    hanNgramMax: Number(values.han ?? defaults.features.hanNgramMax),
  },
  epochs: Number(values.epochs ?? defaults.epochs),
  learningRate: Number(values.lr ?? defaults.learningRate),
  learningRateDecay: Number(values.decay ?? defaults.learningRateDecay),
  l2: Number(values.l2 ?? defaults.l2),
  pruneBelow: Number(values.prune ?? defaults.pruneBelow),
  idfPower: Number(values.idf ?? defaults.idfPower),
  dropout: Number(values.dropout ?? defaults.dropout),
};
const granularity = values.granularity as TargetGranularity;
const heldOutShare = Number(values.holdout ?? 0);

const taxonomy = loadTaxonomy();
const started = Date.now();
const trainingSet = buildTrainingSet(taxonomy, granularity, heldOutShare, Number(values['split-seed']));
const artifact = trainModel(trainingSet.examples, trainingSet.classes, options, trainingSet.provenance);
const seconds = ((Date.now() - started) / 1000).toFixed(1);
const entries = Buffer.from(artifact.entryWeights, 'base64').length;
console.log(`trained ${artifact.classifierVersion} on ${trainingSet.examples.length} lines (${granularity}) in ${seconds}s; ${entries} non-zero weights`);

if (heldOutShare > 0) {
  const classifier = new HashLinearClassifier(artifact, taxonomy);
  const score = (rows: typeof trainingSet.heldOut) =>
    evaluatePredictions(rows.map((row) => ({ expected: row.category, predicted: classifier.classify(row.text).category })));
  const banking = score(trainingSet.heldOut.filter((row) => row.intent !== undefined));
  const own = score(trainingSet.heldOut.filter((row) => row.intent === undefined));
  const touched = BENCH_MESSAGES.reduce((sum, message) => sum + classifier.weightEntriesTouched(message), 0) / BENCH_MESSAGES.length;
  console.log(JSON.stringify({ weightEntriesPerBenchMessage: Math.round(touched), heldOutBanking77: { n: banking.n, accuracy: banking.accuracy }, heldOutOwn: { n: own.n, accuracy: own.accuracy }, options }));
} else {
  writeFileSync(values.output, `${JSON.stringify(artifact)}\n`);
  console.log(`wrote ${values.output}`);
}
