import { CATEGORIES } from '@switchboard/schema';
import {
  assertNotEvaluationFile,
  banking77TrainPath,
  ownTrainingFiles,
  readLabelledFile,
  sha256OfFile,
  type LabelledText,
} from './data.ts';
import type { ModelClass } from './model.ts';
import type { Taxonomy } from './taxonomy.ts';
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

/**
 * Every training line with its class: BANKING77 train.jsonl (intent → category from the taxonomy)
 * and our own data/train/*.jsonl, minus the held-out lines of `split`, kept aside for tuning.
 */
export function buildTrainingSet(taxonomy: Taxonomy, granularity: TargetGranularity, split: HeldOutSplit = { share: 0, seed: 1 }): TrainingSet {
  if ('folds' in split && !(Number.isInteger(split.fold) && Number.isInteger(split.folds) && split.fold >= 1 && split.fold <= split.folds)) {
    throw new RangeError(`fold must be an integer from 1 to folds, got fold ${split.fold} of ${split.folds}`);
  }
  const intentNames = Object.keys(taxonomy.sourceIntents).sort();
  const classes: ModelClass[] =
    granularity === 'intents'
      ? intentNames.map((name) => ({ name, category: taxonomy.sourceIntents[name]! }))
      : [];
  for (const category of CATEGORIES) classes.push({ name: categoryClassName(category), category });
  const classIndex = new Map(classes.map((modelClass, index) => [modelClass.name, index]));

  const banking77 = banking77TrainPath();
  const files = [banking77, ...ownTrainingFiles()];
  const random = seededRandom(split.seed);
  const examples: TrainingExample[] = [];
  const heldOut: LabelledText[] = [];
  const sources: Array<{ file: string; lines: number; sha256: string }> = [];
  for (const file of files) {
    assertNotEvaluationFile(file);
    const rows = readLabelledFile(file);
    // Named the same whichever copy of BANKING77 was read, so the artifact does not depend on the machine.
    const name = file === banking77 ? 'banking77/train.jsonl' : `data/train/${file.split(/[\\/]/).slice(-1)[0]!}`;
    sources.push({ file: name, lines: rows.length, sha256: sha256OfFile(file) });
    const groups = new Map<string, LabelledText[]>();
    for (const row of rows) {
      const category = row.intent !== undefined ? taxonomy.sourceIntents[row.intent] : row.category;
      if (category === undefined) throw new Error(`${file}: intent ${row.intent} is not in the taxonomy`);
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

/** The slice [from, to) of a shuffled group of `size` lines that `split` holds out. */
function heldOutRange(size: number, split: HeldOutSplit): [number, number] {
  if ('folds' in split) return [Math.floor(((split.fold - 1) * size) / split.folds), Math.floor((split.fold * size) / split.folds)];
  return [0, Math.round(size * split.share)];
}
