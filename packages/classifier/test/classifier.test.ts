import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CATEGORIES } from '@switchboard/schema';
import { BENCH_MESSAGES, benchClassifier, evaluateFile, loadClassifier } from '../src/index.ts';
import { banking77TestPath, EVALUATION_DIR, readLabelledFile } from '../src/data.ts';
import { decisionLine } from '../src/evaluate.ts';

const classifier = loadClassifier();

describe('the committed classifier', () => {
  it('returns a complete decision', () => {
    const decision = classifier.classify('Someone stole my phone and my card, please block everything!!!');
    expect(decision.category).toBe('security');
    expect(decision.priority).toBe('urgent');
    expect(decision.language).toBe('en');
    expect(decision.explanation.priorityRules).toContain('security_incident');
    expect(decision.explanation.features.length).toBeGreaterThan(0);
    expect(decision.explanation.features.length).toBeLessThanOrEqual(5);
    expect(decision.classifierVersion).toBe(classifier.version);
    expect(Object.keys(decision.scores).sort()).toEqual([...CATEGORIES].sort());
    expect(decision.confidence).toBe(decision.scores.security);
    const total = Object.values(decision.scores).reduce((sum, score) => sum + score, 0);
    expect(total).toBeCloseTo(1, 6);
  });

  it('classifies Traditional and Simplified Chinese and names the language', () => {
    expect(classifier.classify('退款什麼時候會到帳？')).toMatchObject({ category: 'refund', language: 'zh-Hant' });
    expect(classifier.classify('汇率怎么这么差')).toMatchObject({ category: 'fees_fx', language: 'zh-Hans' });
  });

  it('reads the subject together with the text', () => {
    expect(classifier.classify('see subject', 'Refund for order 1234 not received').category).toBe('refund');
  });

  it('sends low-confidence decisions to triage', () => {
    const decision = classifier.classify('hmm');
    expect(decision.triage).toBe(decision.confidence < 0.5);
    for (const message of BENCH_MESSAGES) {
      const { confidence, triage } = classifier.classify(message);
      expect(triage).toBe(confidence < 0.5);
    }
  });

  it('handles empty and very long input', () => {
    expect(classifier.classify('').category).toBeDefined();
    expect(classifier.classify('').triage).toBe(true);
    expect(classifier.classify('my transfer failed '.repeat(20_000)).category).toBe('transaction');
  });

  it('gives the same decision for the same message, whatever came before', () => {
    const first = classifier.classify('charged twice for one coffee');
    classifier.classify('我的账号被盗了');
    expect(classifier.classify('charged twice for one coffee')).toEqual(first);
  });

  it('reports its throughput', () => {
    const { perSec, wallPerSec, baselineNsPerElement } = benchClassifier({ seconds: 0.2, classifier });
    expect(perSec).toBeGreaterThan(1000);
    expect(wallPerSec).toBeGreaterThan(0);
    expect(baselineNsPerElement).toBeGreaterThan(0);
  });
});

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
