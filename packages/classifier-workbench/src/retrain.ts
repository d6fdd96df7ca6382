import { createHash } from 'node:crypto';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import {
  currentVersion,
  foldText,
  HashLinearClassifier,
  loadRegisteredClassifier,
  readManifest,
  type ModelArtifact,
  type RegisteredModel,
  type Taxonomy,
} from '@switchboard/classifier';
import type { Correction } from '@switchboard/ticket-store';
import { correctionLines, type CorrectionLines } from './corrections.ts';
import { EVALUATION_DIR, readLabelledFile, type LabelledText } from './data.ts';
import { addModel, withRegistryLock } from './registry-write.ts';
import { DEFAULT_SIGNIFICANCE, DEFAULT_TOLERANCE, MINIMUM_HELD_OUT_CORRECTIONS, shadowEvaluate, type ShadowPolicy } from './shadow.ts';
import { DEFAULT_TRAINING_OPTIONS, trainModel, type TrainingOptions } from './train.ts';
import { buildTrainingSet, type TrainingSet } from './training-set.ts';

/** The base evaluation sets: every file of data/eval, which training refuses to open. */
export function baseEvaluationSets(): Array<{ set: string; rows: LabelledText[] }> {
  return readdirSync(EVALUATION_DIR)
    .filter((name) => name.endsWith('.jsonl'))
    .sort()
    .map((name) => ({ set: name, rows: readLabelledFile(join(EVALUATION_DIR, name)) }));
}

export interface RetrainOptions {
  registryDir: string;
  taxonomy: Taxonomy;
  /** Agents' corrections, oldest first; undefined trains without them (a taxonomy change, say). */
  corrections?: readonly Correction[];
  training?: TrainingOptions;
  tolerance?: number;
  by?: string;
  log?: (line: string) => void;
}

export type RetrainOutcome =
  | { kind: 'unchanged'; version: string; dataHash: string }
  | { kind: 'nothing to learn'; lines: CorrectionLines }
  | { kind: 'registered'; record: RegisteredModel; lines: CorrectionLines | undefined };

/** sha256 over everything a model is trained from: each source's hash, the taxonomy and the options. */
export function dataHashOf(trainingSet: TrainingSet, taxonomy: Taxonomy, options: TrainingOptions): string {
  return createHash('sha256').update(JSON.stringify({ sources: trainingSet.provenance.sources, taxonomy: taxonomy.file, options })).digest('hex');
}

/**
 * Trains a candidate on the base data, the taxonomy's examples and the corrections not held out,
 * scores it in the shadow of the model in use, and stores it in the registry: in use at once when
 * the evaluation passes, kept for the record when it does not. Data already trained on exactly
 * (same hash) is not trained again. Holds the registry's lock throughout, so two runs never race.
 */
export async function retrain(options: RetrainOptions): Promise<RetrainOutcome> {
  const log = options.log ?? (() => undefined);
  const training = options.training ?? DEFAULT_TRAINING_OPTIONS;
  return withRegistryLock(options.registryDir, () => {
    const base = baseEvaluationSets();
    const evaluationTexts = new Set(base.flatMap(({ rows }) => rows.map((row) => foldText(row.text.trim()))));
    assertNoExampleIsEvaluated(options.taxonomy, evaluationTexts);
    const lines = options.corrections && correctionLines(options.corrections, options.taxonomy, evaluationTexts);
    if (lines && lines.trained.length === 0) {
      log(`no corrections to learn from (${lines.heldOut.length} held out, ${lines.dropped.length} dropped); nothing trained`);
      return { kind: 'nothing to learn', lines };
    }
    const extra = lines && lines.trained.length > 0 ? [{ name: 'corrections', rows: lines.trained }] : [];
    const trainingSet = buildTrainingSet(options.taxonomy, 'intents', { share: 0, seed: 1 }, extra);
    const dataHash = dataHashOf(trainingSet, options.taxonomy, training);
    const manifest = readManifest(options.registryDir);
    const known = Object.values(manifest.models).find((model) => model.dataHash === dataHash);
    if (known) {
      log(`already trained on exactly this data: ${known.version}; nothing to do`);
      return { kind: 'unchanged', version: known.version, dataHash };
    }
    if (lines) log(`corrections: ${lines.trained.length} to train on, ${lines.heldOut.length} held out, ${lines.dropped.length} dropped`);
    const started = Date.now();
    const artifact: ModelArtifact = trainModel(trainingSet.examples, trainingSet.classes, training, { ...trainingSet.provenance, dataHash });
    log(`trained ${artifact.classifierVersion} on ${trainingSet.examples.length} lines in ${((Date.now() - started) / 1000).toFixed(1)} s`);
    const candidate = new HashLinearClassifier(artifact, options.taxonomy);
    const current = loadRegisteredClassifier(options.registryDir, currentVersion(manifest));
    const policy: ShadowPolicy = { tolerance: options.tolerance ?? DEFAULT_TOLERANCE, significance: DEFAULT_SIGNIFICANCE, ...(options.corrections ? { corrections: { minimumHeldOut: MINIMUM_HELD_OUT_CORRECTIONS } } : {}) };
    const evaluation = shadowEvaluate({ candidate, current }, { base, heldOutCorrections: lines?.heldOut ?? [], priorities: lines?.priorities ?? [] }, policy);
    const record: RegisteredModel = {
      version: artifact.classifierVersion,
      createdAt: new Date().toISOString(),
      dataHash,
      sources: trainingSet.provenance.sources as RegisteredModel['sources'],
      corrections: { trained: lines?.trained.length ?? 0, heldOut: lines?.heldOut.length ?? 0, dropped: lines?.dropped.length ?? 0 },
      evaluation,
    };
    addModel(options.registryDir, { artifact, taxonomy: options.taxonomy.file, record }, options.by);
    log(`${evaluation.promote ? 'promoted' : 'not promoted'}: ${evaluation.reasons.join('; ')}`);
    return { kind: 'registered', record, lines };
  });
}

/** The taxonomy's example lines are training lines: none may be a line of an evaluation set. */
function assertNoExampleIsEvaluated(taxonomy: Taxonomy, evaluationTexts: ReadonlySet<string>): void {
  for (const category of taxonomy.categoryIds) {
    for (const example of taxonomy.categories[category]!.examples) {
      if (evaluationTexts.has(foldText(example.trim()))) throw new Error(`refusing to train on evaluation data: the taxonomy's example "${example}" (${category}) is a line of data/eval`);
    }
  }
}
