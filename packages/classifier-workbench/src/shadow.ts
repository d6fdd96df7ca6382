import type { Classifier, RegisteredModel, SetScore, Taxonomy } from '@switchboard/classifier';
import type { LabelledText } from './data.ts';
import { evaluateRows } from './evaluate.ts';

/**
 * The shadow evaluation: a candidate and the model in use scored on the same lines, the base
 * evaluation sets (data/eval) and the held-out corrections, and the rule that decides whether the
 * candidate may take over.
 */
export interface ShadowPolicy {
  /**
   * A base set fails when the candidate's accuracy on it is more than `tolerance` below the model in
   * use (0.005: half a point) and the loss is more than chance: the exact one-sided McNemar test on
   * the lines only one of the two gets right gives p < `significance`. Retraining on a few more
   * lines reshuffles training and moves a 150-line set by a line or three either way (measured in
   * docs/classifier-notes.md), which a bare threshold would read as a loss.
   */
  tolerance: number;
  significance: number;
  /** Trained on corrections: it must then be better on the held-out ones, and there must be this many. */
  corrections?: { minimumHeldOut: number };
}

export const DEFAULT_TOLERANCE = 0.005;
export const DEFAULT_SIGNIFICANCE = 0.05;
export const MINIMUM_HELD_OUT_CORRECTIONS = 5;

export interface ScoredSet {
  set: string;
  kind: 'base' | 'corrections';
  candidate: SetScore;
  current: SetScore;
  /** Lines only the candidate gets right, and lines only the model in use gets right. */
  onlyCandidate: number;
  onlyCurrent: number;
}

export type Evaluation = RegisteredModel['evaluation'];

export function toleranceInWords(policy: ShadowPolicy): string {
  const points = (policy.tolerance * 100).toFixed(2).replace(/\.?0+$/, '');
  const gain = policy.corrections ? `; more held-out corrections right than the model in use, out of at least ${policy.corrections.minimumHeldOut}` : '';
  return `no base set more than ${points} points below the model in use with a loss beyond chance (exact one-sided McNemar p < ${policy.significance})${gain}`;
}

/** P(X ≥ losses) for X ~ Binomial(losses + gains, 1/2): how likely a split at least this uneven is by chance. */
export function mcnemarOneSided(losses: number, gains: number): number {
  const n = losses + gains;
  let term = Math.pow(0.5, n); // P(X = 0)
  let tail = 0;
  for (let k = 0; k <= n; k++) {
    if (k >= losses) tail += term;
    term = (term * (n - k)) / (k + 1);
  }
  return Math.min(1, tail);
}

/**
 * The rule, as a pure function of the scores (a table test covers it). `unscorable` names base sets
 * whose labels a taxonomy lacks: unverified, so they block an automatic promotion.
 */
export function decide(sets: readonly ScoredSet[], policy: ShadowPolicy, against: string, unscorable: readonly string[] = []): Evaluation {
  const judged = sets.map((set) => {
    const versus = `${set.candidate.accuracy.toFixed(4)} against ${set.current.accuracy.toFixed(4)} (${set.onlyCandidate} lines only the candidate gets right, ${set.onlyCurrent} only the model in use)`;
    if (set.kind === 'base') {
      const drop = set.current.accuracy - set.candidate.accuracy;
      const p = mcnemarOneSided(set.onlyCurrent, set.onlyCandidate);
      const passed = drop <= policy.tolerance + 1e-9 || p >= policy.significance;
      return { ...set, passed, why: `${versus}${passed ? '' : `: ${(drop * 100).toFixed(2)} points lower, p = ${p.toFixed(3)}`}` };
    }
    const enough = set.candidate.n >= (policy.corrections?.minimumHeldOut ?? 0);
    const better = set.candidate.accuracy > set.current.accuracy;
    const why = !enough
      ? `only ${set.candidate.n} held-out corrections: too few to show a gain`
      : `${versus}${better ? '' : ': not better'}`;
    return { ...set, passed: enough && better, why };
  });
  const reasons: string[] = [];
  const base = judged.filter((set) => set.kind === 'base');
  for (const set of unscorable) reasons.push(`${set}: names categories a taxonomy lacks, so it cannot be compared (promote by hand, pnpm model promote, if the model is right)`);
  if (base.length === 0 && unscorable.length === 0) reasons.push('no base set to compare on');
  for (const set of base.filter((s) => !s.passed)) reasons.push(`${set.set}: ${set.why}`);
  const corrections = judged.find((set) => set.kind === 'corrections');
  if (policy.corrections) {
    if (!corrections) reasons.push('no held-out corrections to show a gain');
    else if (!corrections.passed) reasons.push(`held-out corrections: ${corrections.why}`);
  }
  const promote = reasons.length === 0;
  if (promote) reasons.push(corrections ? `base sets within the tolerance; held-out corrections ${corrections.why}` : 'base sets within the tolerance');
  return { against, tolerance: toleranceInWords(policy), sets: judged, promote, reasons };
}

/** Whether a model with `taxonomy` can be scored on these lines: it knows every category they name. */
function scorable(rows: readonly LabelledText[], taxonomy: Taxonomy): boolean {
  return rows.every((row) => row.category in taxonomy.categories);
}

/** Both models on the same lines, with the lines only one of them gets right. */
function compare(set: string, kind: ScoredSet['kind'], candidate: Classifier, current: Classifier, rows: readonly LabelledText[]): ScoredSet {
  const right = (classifier: Classifier) => {
    const correct: boolean[] = [];
    const { n, accuracy, macroF1 } = evaluateRows(classifier, rows, (row, decision) => correct.push(decision.category === row.category));
    return { score: { n, accuracy, macroF1 }, correct };
  };
  const a = right(candidate);
  const b = right(current);
  const onlyCandidate = a.correct.filter((ok, index) => ok && !b.correct[index]).length;
  const onlyCurrent = a.correct.filter((ok, index) => !ok && b.correct[index]).length;
  return { set, kind, candidate: a.score, current: b.score, onlyCandidate, onlyCurrent };
}

/**
 * Scores both models on every base set both taxonomies can label and on the held-out corrections,
 * then applies the rule; also how often each model's priority agrees with the agents' priorities.
 */
export function shadowEvaluate(
  models: { candidate: Classifier & { taxonomy: Taxonomy }; current: Classifier & { taxonomy: Taxonomy } },
  lines: { base: ReadonlyArray<{ set: string; rows: LabelledText[] }>; heldOutCorrections: LabelledText[]; priorities: ReadonlyArray<{ text: string; priority: string }> },
  policy: ShadowPolicy,
): Evaluation {
  const { candidate, current } = models;
  const comparable = ({ rows }: { rows: LabelledText[] }) => scorable(rows, candidate.taxonomy) && scorable(rows, current.taxonomy);
  const sets: ScoredSet[] = lines.base
    .filter(comparable)
    .map(({ set, rows }) => compare(set, 'base', candidate, current, rows));
  const unscorable = lines.base.filter((set) => !comparable(set)).map(({ set }) => set);
  if (lines.heldOutCorrections.length > 0) {
    sets.push(compare('held-out corrections', 'corrections', candidate, current, lines.heldOutCorrections));
  }
  const evaluation = decide(sets, policy, current.version, unscorable);
  if (lines.priorities.length > 0) {
    const agreement = (classifier: Classifier) => round(lines.priorities.filter((line) => classifier.classify(line.text).priority === line.priority).length / lines.priorities.length);
    evaluation.priorityAgreement = { n: lines.priorities.length, candidate: agreement(candidate), current: agreement(current) };
  }
  return evaluation;
}

function round(value: number): number {
  return Math.round(value * 10000) / 10000;
}
