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
 * Every training line with its class: BANKING77 train.jsonl (intent → category from the taxonomy)
 * and our own data/train/*.jsonl. With `heldOutShare`, that share of each intent and of each own
 * file's category is kept aside (seeded) for tuning.
 */
export function buildTrainingSet(taxonomy: Taxonomy, granularity: TargetGranularity, heldOutShare = 0, seed = 1): TrainingSet {
  const intentNames = Object.keys(taxonomy.sourceIntents).sort();
  const classes: ModelClass[] =
    granularity === 'intents'
      ? intentNames.map((name) => ({ name, category: taxonomy.sourceIntents[name]! }))
      : [];
  for (const category of CATEGORIES) classes.push({ name: categoryClassName(category), category });
  const classIndex = new Map(classes.map((modelClass, index) => [modelClass.name, index]));

  const banking77 = banking77TrainPath();
  const files = [banking77, ...ownTrainingFiles()];
  const random = seededRandom(seed);
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
      const heldOutCount = Math.round(group.length * heldOutShare);
      const shuffled = heldOutCount > 0 ? shuffleInPlace([...group], random) : group;
      heldOut.push(...shuffled.slice(0, heldOutCount));
      for (const row of shuffled.slice(heldOutCount)) examples.push({ text: row.text, classIndex: classIndex.get(className)! });
    }
  }
  return { classes, examples, heldOut, provenance: { granularity, sources } };
}
