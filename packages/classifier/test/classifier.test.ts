import { describe, expect, it } from 'vitest';
import { CATEGORIES } from '@switchboard/schema';
import { BENCH_MESSAGES, benchClassifier, loadClassifier } from '../src/index.ts';

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
