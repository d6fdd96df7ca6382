import { readLabelledFile } from './data.ts';
import type { Classifier } from './classifier.ts';
import { evaluatePredictions, type EvaluationReport } from './metrics.ts';

/** Classifies every line of a {"text", "category"} JSONL file and scores the predictions. */
export function evaluateFile(classifier: Classifier, path: string): EvaluationReport {
  const rows = readLabelledFile(path);
  return evaluatePredictions(rows.map((row) => ({ expected: row.category, predicted: classifier.classify(row.text).category })));
}
