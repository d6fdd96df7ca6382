import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadClassifier } from '@switchboard/classifier';
import { banking77TestPath, EVALUATION_DIR, readLabelledFile } from '../src/data.ts';
import { decisionLine, evaluateFile } from '../src/evaluate.ts';

const classifier = loadClassifier();

/**
 * Floors on data the model never saw: issue 7's targets, 0.975 for BANKING77 test and 0.90 for the
 * Chinese and social-English sets (the committed model measured 0.9753 / 0.944-0.969 / 0.944-0.967 on
 * 2026-11-24, see README), so a retrain that falls under a target fails here. BANKING77 test comes
 * from ../shared when present, else from the copy in data/eval.
 */
describe('quality on the evaluation sets', () => {
  it.each([
    { name: 'BANKING77 test', path: banking77TestPath(), floor: 0.975 },
    { name: 'Chinese (zh.jsonl)', path: join(EVALUATION_DIR, 'zh.jsonl'), floor: 0.9 },
    { name: 'Chinese, second writer (zh-2.jsonl)', path: join(EVALUATION_DIR, 'zh-2.jsonl'), floor: 0.9 },
    { name: 'social English (social-en.jsonl)', path: join(EVALUATION_DIR, 'social-en.jsonl'), floor: 0.9 },
    { name: 'social English, second writer (social-en-2.jsonl)', path: join(EVALUATION_DIR, 'social-en-2.jsonl'), floor: 0.9 },
  ])('$name: accuracy ≥ $floor', ({ path, floor }) => {
    expect(evaluateFile(classifier, path).accuracy).toBeGreaterThanOrEqual(floor);
  });
});

describe('evaluateFile', () => {
  it('shows each line with its decision, in file order, as the score counts them', () => {
    const path = join(EVALUATION_DIR, 'zh.jsonl');
    const lines: Array<{ text: string; category: string; predicted: string; confidence: number }> = [];
    const report = evaluateFile(classifier, path, (row, decision) => lines.push(JSON.parse(decisionLine(row, decision)) as (typeof lines)[number]));
    expect(lines.map((line) => line.text)).toEqual(readLabelledFile(path).map((row) => row.text));
    expect(lines.filter((line) => line.predicted === line.category).length / lines.length).toBeCloseTo(report.accuracy, 4);
    expect(lines[0]).toMatchObject({ predicted: classifier.classify(lines[0]!.text).category, confidence: classifier.classify(lines[0]!.text).confidence });
  });
});
