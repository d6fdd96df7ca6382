import { describe, expect, it } from 'vitest';
import { decide, mcnemarOneSided, type ScoredSet, type ShadowPolicy } from '../src/shadow.ts';

const withCorrections: ShadowPolicy = { tolerance: 0.005, significance: 0.05, corrections: { minimumHeldOut: 5 } };
const withoutCorrections: ShadowPolicy = { tolerance: 0.005, significance: 0.05 };

/** A set of n lines the model in use gets `current` of right, and the candidate `current - onlyCurrent + onlyCandidate`. */
function set(kind: ScoredSet['kind'], n: number, current: number, onlyCandidate: number, onlyCurrent: number, name = kind): ScoredSet {
  const candidate = current - onlyCurrent + onlyCandidate;
  return { set: name, kind, current: { n, accuracy: current / n, macroF1: 0 }, candidate: { n, accuracy: candidate / n, macroF1: 0 }, onlyCandidate, onlyCurrent };
}

describe('mcnemarOneSided', () => {
  it.each([
    [0, 0, 1],
    [1, 0, 0.5],
    [4, 0, 0.0625],
    [5, 0, 0.03125],
    [3, 1, 0.3125],
    [10, 10, 0.588099],
  ])('%i losses against %i gains: p = %f', (losses, gains, p) => {
    expect(mcnemarOneSided(losses, gains)).toBeCloseTo(p, 5);
  });
});

describe('the promotion rule', () => {
  it.each([
    ['equal everywhere, better on corrections', [set('base', 3080, 3004, 0, 0), set('corrections', 13, 0, 9, 0)], withCorrections, true],
    ['a base set a line lower: within 0.5 points', [set('base', 3080, 3004, 2, 3), set('corrections', 13, 0, 9, 0)], withCorrections, true],
    ['a small set 3 lines lower, 3 against 0: chance can do that', [set('base', 153, 148, 0, 3), set('corrections', 13, 0, 9, 0)], withCorrections, true],
    ['a small set 5 lines lower, 5 against 0: beyond chance', [set('base', 153, 148, 0, 5), set('corrections', 13, 0, 9, 0)], withCorrections, false],
    ['a large set 20 lines lower, 30 against 10', [set('base', 3080, 3004, 10, 30), set('corrections', 13, 0, 9, 0)], withCorrections, false],
    ['not better on the held-out corrections', [set('base', 3080, 3004, 0, 0), set('corrections', 13, 9, 1, 1)], withCorrections, false],
    ['better, but on too few held-out corrections', [set('base', 3080, 3004, 0, 0), set('corrections', 4, 0, 4, 0)], withCorrections, false],
    ['trained on corrections, none held out', [set('base', 3080, 3004, 0, 0)], withCorrections, false],
    ['no corrections asked for: the base sets decide', [set('base', 3080, 3004, 0, 0)], withoutCorrections, true],
    ['no base set at all', [set('corrections', 13, 0, 9, 0)], withCorrections, false],
  ] as const)('%s → promote %s', (_case, sets, policy, promote) => {
    const evaluation = decide(sets, policy, 'hash-linear-current00');
    expect(evaluation.promote).toBe(promote);
    expect(evaluation.reasons.length).toBeGreaterThan(0);
    expect(evaluation.against).toBe('hash-linear-current00');
  });

  it('blocks on a base set a taxonomy cannot label, and says why', () => {
    const evaluation = decide([set('base', 3080, 3004, 0, 0)], withoutCorrections, 'v', ['zh.jsonl']);
    expect(evaluation.promote).toBe(false);
    expect(evaluation.reasons.join(' ')).toMatch(/zh\.jsonl: names categories a taxonomy lacks.*pnpm model promote/);
  });

  it('states its tolerance', () => {
    expect(decide([], withCorrections, 'v').tolerance).toBe(
      'no base set more than 0.5 points below the model in use with a loss beyond chance (exact one-sided McNemar p < 0.05); more held-out corrections right than the model in use, out of at least 5',
    );
  });
});
