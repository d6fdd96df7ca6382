/**
 * pnpm train                     train on all training data, write packages/classifier/model/model.json
 * pnpm train --holdout 0.1       train on 90 %, report accuracy on the held-out 10 %, write nothing
 * pnpm train --folds 10 --fold 3 the same with fold 3 of 10 disjoint folds held out (cross-validation)
 *   [--export DIR]                 also write the split's lines to DIR (train.jsonl; held-out.jsonl with this model's
 *                                  decisions), for scoring another model on the very same lines (baseline/README.md)
 *   [--granularity intents|categories] [--epochs N] [--lr X] [--decay X] [--l2 X] [--bits N] [--chars MIN-MAX] [--han N]
 *   [--prune N] [--idf POWER] [--dropout P] [--split-seed N]   (--split-seed picks another held-out split: differences smaller
 *   than the spread between splits are noise)
 *
 * pnpm train --registry         train a candidate for the model registry (SWITCHBOARD_MODELS_DIR, else SWITCHBOARD_DATA_DIR/models)
 *                                 with the team's taxonomy, score it in the shadow of the model in use on data/eval, promote it
 *                                 if no base set is worse than the stated tolerance (exit 3 when not promoted)
 * pnpm train --with-corrections  the same, trained on agents' corrections too (DATABASE_URL), and promoted only if also better
 *                                 on the held-out quarter of them; --corrections FILE reads an export of GET /api/v1/corrections
 *   [--taxonomy PATH] (else SWITCHBOARD_TAXONOMY) [--registry-dir DIR] [--tolerance 0.005] [--by NAME]
 *
 * Tuning happens only with --holdout or --folds, on a split of the training files; never on data/eval.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { BENCH_MESSAGES, DEFAULT_MODEL_PATH, HashLinearClassifier, loadTaxonomy } from '@switchboard/classifier';
import { decisionLine, evaluateRows } from '../src/evaluate.ts';
import { trainForRegistryOrBusy } from './registry-training.ts';
import { buildTrainingSet, type HeldOutSplit, type TargetGranularity } from '../src/training-set.ts';
import { DEFAULT_TRAINING_OPTIONS, trainModel, type TrainingOptions } from '../src/train.ts';

const { values } = parseArgs({
  options: {
    holdout: { type: 'string' },
    folds: { type: 'string' },
    fold: { type: 'string' },
    export: { type: 'string' },
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
    registry: { type: 'boolean', default: false },
    'registry-dir': { type: 'string' },
    'with-corrections': { type: 'boolean', default: false },
    corrections: { type: 'string' },
    taxonomy: { type: 'string' },
    tolerance: { type: 'string' },
    by: { type: 'string' },
  },
});
const forRegistry = values.registry || values['with-corrections'] || values.corrections !== undefined;

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
const seed = Number(values['split-seed']);
if ((values.folds === undefined) !== (values.fold === undefined)) throw new Error('--folds and --fold go together');
if (values.folds !== undefined && values.holdout !== undefined) throw new Error('--holdout and --folds are two ways to hold lines out: pick one');
const split: HeldOutSplit = values.folds !== undefined ? { folds: Number(values.folds), fold: Number(values.fold), seed } : { share: Number(values.holdout ?? 0), seed };
const holdingOut = 'folds' in split || split.share > 0;
if (values.export !== undefined && !holdingOut) throw new Error('--export writes a held-out split: give --holdout or --folds too');

if (forRegistry) {
  if (holdingOut) throw new Error('--holdout and --folds are for tuning; a registry candidate trains on all the training data');
  process.exit(
    await trainForRegistryOrBusy(
      {
        withCorrections: values['with-corrections'] || values.corrections !== undefined,
        ...(values.corrections !== undefined ? { correctionsFile: values.corrections } : {}),
        ...(values.taxonomy !== undefined ? { taxonomy: values.taxonomy } : {}),
        ...(values['registry-dir'] !== undefined ? { registry: values['registry-dir'] } : {}),
        ...(values.tolerance !== undefined ? { tolerance: values.tolerance } : {}),
        by: values.by ?? process.env.USER,
      },
      options,
    ),
  );
}

const taxonomy = loadTaxonomy();
const started = Date.now();
const trainingSet = buildTrainingSet(taxonomy, granularity, split);
const artifact = trainModel(trainingSet.examples, trainingSet.classes, options, trainingSet.provenance);
const seconds = ((Date.now() - started) / 1000).toFixed(1);
const entries = Buffer.from(artifact.entryWeights, 'base64').length;
console.log(`trained ${artifact.classifierVersion} on ${trainingSet.examples.length} lines (${granularity}) in ${seconds}s; ${entries} non-zero weights`);

if (holdingOut) {
  const classifier = new HashLinearClassifier(artifact, taxonomy);
  if (values.export !== undefined) {
    mkdirSync(values.export, { recursive: true });
    const classes = trainingSet.classes;
    const trainLines = trainingSet.examples.map((e) => JSON.stringify({ text: e.text, class: classes[e.classIndex]!.name, category: classes[e.classIndex]!.category }));
    const heldOutLines = trainingSet.heldOut.map((row) => decisionLine(row, classifier.classify(row.text)));
    writeFileSync(join(values.export, 'train.jsonl'), `${trainLines.join('\n')}\n`);
    writeFileSync(join(values.export, 'held-out.jsonl'), `${heldOutLines.join('\n')}\n`);
  }
  const score = (rows: typeof trainingSet.heldOut) => evaluateRows(classifier, rows);
  const banking = score(trainingSet.heldOut.filter((row) => row.intent !== undefined));
  const own = score(trainingSet.heldOut.filter((row) => row.intent === undefined));
  const touched = BENCH_MESSAGES.reduce((sum, message) => sum + classifier.weightEntriesTouched(message), 0) / BENCH_MESSAGES.length;
  console.log(JSON.stringify({ weightEntriesPerBenchMessage: Math.round(touched), heldOutBanking77: { n: banking.n, accuracy: banking.accuracy }, heldOutOwn: { n: own.n, accuracy: own.accuracy }, options }));
} else {
  writeFileSync(values.output, `${JSON.stringify(artifact)}\n`);
  console.log(`wrote ${values.output}`);
}
