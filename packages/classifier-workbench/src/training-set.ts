import { createHash } from 'node:crypto';
import {
  assertNotEvaluationFile,
  banking77TrainPath,
  ownTrainingFiles,
  readLabelledFile,
  sha256OfFile,
  type LabelledText,
} from './data.ts';
import type { ModelClass, Taxonomy } from '@switchboard/classifier';
import { seededRandom } from '@switchboard/runtime';
import { categoryClassName, shuffleInPlace, type TrainingExample } from './train.ts';

/**
 * Whether BANKING77 lines are learnt as their 77 intents (summed back into categories at
 * prediction time) or directly as categories. Intents score better on a held-out split of
 * train.jsonl (see README), so they are the default.
 */
export type TargetGranularity = 'intents' | 'categories';

export interface TrainingSet {
  classes: ModelClass[];
  examples: TrainingExample[];
  /** Lines kept out of training when a held-out split was asked for. */
  heldOut: LabelledText[];
  provenance: Record<string, unknown>;
}

/**
 * Which lines are kept out of training, per intent and per own file's category, after a seeded
 * shuffle: a share of them (splits with different seeds overlap), or fold `fold` of `folds` disjoint
 * folds (cross-validation: over folds 1..folds every line is held out exactly once).
 */
export type HeldOutSplit = { share: number; seed: number } | { fold: number; folds: number; seed: number };

/** Labelled lines that come from somewhere other than a file: the taxonomy's examples, agents' corrections. */
export interface LineSource {
  name: string;
  rows: LabelledText[];
}

/** The taxonomy's example lines, one source: a team's category can be taught there alone. */
export function taxonomyExamples(taxonomy: Taxonomy): LineSource {
  return {
    name: 'taxonomy examples',
    rows: taxonomy.categoryIds.flatMap((category) => taxonomy.categories[category]!.examples.map((text) => ({ text, category }))),
  };
}

/**
 * Every training line with its class: BANKING77 train.jsonl (intent → category from the taxonomy),
 * our own data/train/*.jsonl, the taxonomy's example lines and any `extra` source (corrections),
 * minus the held-out lines of `split`, kept aside for tuning.
 */
export function buildTrainingSet(taxonomy: Taxonomy, granularity: TargetGranularity, split: HeldOutSplit = { share: 0, seed: 1 }, extra: LineSource[] = []): TrainingSet {
  if ('folds' in split && !(Number.isInteger(split.fold) && Number.isInteger(split.folds) && split.fold >= 1 && split.fold <= split.folds)) {
    throw new RangeError(`fold must be an integer from 1 to folds, got fold ${split.fold} of ${split.folds}`);
  }
  const intentNames = Object.keys(taxonomy.sourceIntents).sort();
  const classes: ModelClass[] =
    granularity === 'intents'
      ? intentNames.map((name) => ({ name, category: taxonomy.sourceIntents[name]! }))
      : [];
  for (const category of taxonomy.categoryIds) classes.push({ name: categoryClassName(category), category });
  const classIndex = new Map(classes.map((modelClass, index) => [modelClass.name, index]));

  const banking77 = banking77TrainPath();
  const random = seededRandom(split.seed);
  const examples: TrainingExample[] = [];
  const heldOut: LabelledText[] = [];
  const sources: Array<{ file: string; lines: number; sha256: string }> = [];
  const fileSources = [banking77, ...ownTrainingFiles()].map((file): LineSource & { sha256: string } => {
    assertNotEvaluationFile(file);
    // Named the same whichever copy of BANKING77 was read, so the artifact does not depend on the machine.
    const name = file === banking77 ? 'banking77/train.jsonl' : `data/train/${file.split(/[\\/]/).slice(-1)[0]!}`;
    return { name, rows: readLabelledFile(file), sha256: sha256OfFile(file) };
  });
  const otherSources = [taxonomyExamples(taxonomy), ...extra]
    .filter((source) => source.rows.length > 0)
    .map((source) => ({ ...source, sha256: sha256OfRows(source.rows) }));
  for (const { name, rows, sha256 } of [...fileSources, ...otherSources]) {
    sources.push({ file: name, lines: rows.length, sha256 });
    const groups = new Map<string, LabelledText[]>();
    for (const row of rows) {
      const category = row.intent !== undefined ? taxonomy.sourceIntents[row.intent] : row.category;
      if (category === undefined) throw new Error(`${name}: intent ${row.intent} is not in the taxonomy`);
      if (!(category in taxonomy.categories)) throw new Error(`${name}: lines of category ${category}, which the taxonomy does not have`);
      const labelled = { ...row, category };
      const className = granularity === 'intents' && row.intent !== undefined ? row.intent : categoryClassName(category);
      const group = groups.get(className) ?? [];
      group.push(labelled);
      groups.set(className, group);
    }
    for (const [className, group] of groups) {
      const [from, to] = heldOutRange(group.length, split);
      const shuffled = to > from ? shuffleInPlace([...group], random) : group;
      heldOut.push(...shuffled.slice(from, to));
      for (const row of [...shuffled.slice(0, from), ...shuffled.slice(to)]) examples.push({ text: row.text, classIndex: classIndex.get(className)! });
    }
  }
  return { classes, examples, heldOut, provenance: { granularity, sources } };
}

/** The hash of labelled lines as training reads them: the identity of a source that is not a file. */
function sha256OfRows(rows: readonly LabelledText[]): string {
  const hash = createHash('sha256');
  for (const row of rows) hash.update(`${JSON.stringify([row.text, row.category, row.intent ?? null])}\n`);
  return hash.digest('hex');
}

/** The slice [from, to) of a shuffled group of `size` lines that `split` holds out. */
function heldOutRange(size: number, split: HeldOutSplit): [number, number] {
  if ('folds' in split) return [Math.floor(((split.fold - 1) * size) / split.folds), Math.floor((split.fold * size) / split.folds)];
  return [0, Math.round(size * split.share)];
}
