import { createHash } from 'node:crypto';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { isAbsolute, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Category } from '@switchboard/schema';

export const PACKAGE_DIR = fileURLToPath(new URL('..', import.meta.url));

export interface LabelledText {
  text: string;
  category: Category;
  /** The source intent, for BANKING77 lines. */
  intent?: string;
}

export const REPO_DIR = resolve(PACKAGE_DIR, '../..');
/** Our own training lines: generated and hand-written, one JSON object a line. */
export const OWN_TRAINING_DIR = join(PACKAGE_DIR, 'data/train');
/** Evaluation files: never read by training (see `assertNotEvaluationFile`). */
export const EVALUATION_DIR = join(PACKAGE_DIR, 'data/eval');
const PACKAGED_BANKING77_TRAIN = join(PACKAGE_DIR, 'data/banking77-train.jsonl');

/**
 * BANKING77's train.jsonl: from $SWITCHBOARD_BANKING77_DIR, else the shared data folder next to the
 * repository, else the copy committed in this package (same bytes; it keeps CI independent of ../shared).
 */
export function banking77TrainPath(): string {
  const candidates = [
    process.env.SWITCHBOARD_BANKING77_DIR && join(process.env.SWITCHBOARD_BANKING77_DIR, 'train.jsonl'),
    join(REPO_DIR, '../shared/data/banking77/train.jsonl'),
    PACKAGED_BANKING77_TRAIN,
  ];
  for (const candidate of candidates) if (candidate && existsSync(candidate)) return candidate;
  throw new Error('BANKING77 train.jsonl not found');
}

/** BANKING77's test.jsonl, for evaluation only: the shared copy when present, else the packaged one. */
export function banking77TestPath(): string {
  const candidates = [
    process.env.SWITCHBOARD_BANKING77_DIR && join(process.env.SWITCHBOARD_BANKING77_DIR, 'test.jsonl'),
    join(REPO_DIR, '../shared/data/banking77/test.jsonl'),
    join(EVALUATION_DIR, 'banking77-test.jsonl'),
  ];
  for (const candidate of candidates) if (candidate && existsSync(candidate)) return candidate;
  throw new Error('BANKING77 test.jsonl not found');
}

export function ownTrainingFiles(): string[] {
  return readdirSync(OWN_TRAINING_DIR)
    .filter((name) => name.endsWith('.jsonl'))
    .sort()
    .map((name) => join(OWN_TRAINING_DIR, name));
}

/** Training must never see evaluation data; this is checked on every file training opens. */
export function assertNotEvaluationFile(path: string): void {
  const inside = relative(EVALUATION_DIR, resolve(path));
  const isInsideEvaluationDir = !inside.startsWith('..') && !isAbsolute(inside);
  if (isInsideEvaluationDir || /(^|[\\/])test\.jsonl$/.test(path)) throw new Error(`refusing to train on evaluation data: ${path}`);
}

export function readLabelledFile(path: string): LabelledText[] {
  const lines = readFileSync(path, 'utf8').split('\n');
  const rows: LabelledText[] = [];
  lines.forEach((line, index) => {
    if (line.trim() === '') return;
    const row = JSON.parse(line) as { text?: unknown; category?: unknown; intent?: unknown };
    if (typeof row.text !== 'string' || !Category.safeParse(row.category).success) {
      throw new Error(`${path}:${index + 1}: expected {"text", "category"} with a category id`);
    }
    rows.push({
      text: row.text,
      category: row.category as Category,
      ...(typeof row.intent === 'string' ? { intent: row.intent } : {}),
    });
  });
  return rows;
}

export function sha256OfFile(path: string): string {
  return createHash('sha256').update(readFileSync(path)).digest('hex');
}
