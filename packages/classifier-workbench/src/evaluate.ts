import { readLabelledFile, type LabelledText } from './data.ts';
import type { Classifier, Decision } from '@switchboard/classifier';
import { evaluatePredictions, type EvaluationReport } from './metrics.ts';

/**
 * Classifies every line of a {"text", "category"} JSONL file and scores the predictions;
 * `onDecision`, when given, sees each line with its decision, in file order.
 */
export function evaluateFile(classifier: Classifier, path: string, onDecision?: (row: LabelledText, decision: Decision) => void): EvaluationReport {
  return evaluateRows(classifier, readLabelledFile(path), onDecision);
}

/** Classifies and scores labelled lines; the report lists the classifier's categories in its taxonomy's order. */
export function evaluateRows(classifier: Classifier, rows: readonly LabelledText[], onDecision?: (row: LabelledText, decision: Decision) => void): EvaluationReport {
  let order: string[] = [];
  const pairs = rows.map((row) => {
    const decision = classifier.classify(row.text);
    if (order.length === 0) order = Object.keys(decision.scores);
    onDecision?.(row, decision);
    return { expected: row.category, predicted: decision.category };
  });
  return evaluatePredictions(pairs, order);
}

/**
 * One scored line as `pnpm eval --decisions` and `pnpm train --export` write it: the labelled line
 * and what this model decided, so that another model can be compared with it line by line.
 */
export function decisionLine(row: LabelledText, decision: Decision): string {
  return JSON.stringify({ text: row.text, intent: row.intent ?? null, category: row.category, predicted: decision.category, confidence: decision.confidence, scores: decision.scores });
}
