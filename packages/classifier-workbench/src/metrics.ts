import type { Category } from '@switchboard/schema';

export interface CategoryMetrics {
  precision: number;
  recall: number;
  f1: number;
  support: number;
}

export interface EvaluationReport {
  n: number;
  accuracy: number;
  macroF1: number;
  /** The categories of the report, in order: the given ones, then any other a line names. */
  categories: Category[];
  perCategory: Record<Category, CategoryMetrics>;
  /** confusion[expected][predicted] */
  confusion: Record<Category, Record<Category, number>>;
}

/** @param order the categories to report in this order (the taxonomy's); any other a line names follows */
export function evaluatePredictions(pairs: Array<{ expected: Category; predicted: Category }>, order: readonly Category[] = []): EvaluationReport {
  const categories = [...new Set([...order, ...pairs.flatMap(({ expected, predicted }) => [expected, predicted])])];
  const confusion: Record<Category, Record<Category, number>> = {};
  for (const expected of categories) confusion[expected] = Object.fromEntries(categories.map((predicted) => [predicted, 0]));
  let correct = 0;
  for (const { expected, predicted } of pairs) {
    confusion[expected]![predicted]!++;
    if (expected === predicted) correct++;
  }
  const perCategory = {} as Record<Category, CategoryMetrics>;
  let f1Sum = 0;
  let categoriesPresent = 0;
  for (const category of categories) {
    const truePositives = confusion[category]![category]!;
    const predictedCount = categories.reduce((sum, expected) => sum + confusion[expected]![category]!, 0);
    const support = categories.reduce((sum, predicted) => sum + confusion[category]![predicted]!, 0);
    const precision = predictedCount === 0 ? 0 : truePositives / predictedCount;
    const recall = support === 0 ? 0 : truePositives / support;
    const f1 = precision + recall === 0 ? 0 : (2 * precision * recall) / (precision + recall);
    perCategory[category] = { precision: round(precision), recall: round(recall), f1: round(f1), support };
    // Macro-F1 averages over the categories the file contains: BANKING77 has no `contact` line,
    // and a category nobody asked about should neither help nor hurt.
    if (support > 0) {
      f1Sum += f1;
      categoriesPresent++;
    }
  }
  return {
    n: pairs.length,
    categories,
    accuracy: round(pairs.length === 0 ? 0 : correct / pairs.length),
    macroF1: round(categoriesPresent === 0 ? 0 : f1Sum / categoriesPresent),
    perCategory,
    confusion,
  };
}

export function formatReport(report: EvaluationReport): string {
  const categories = report.categories;
  const width = Math.max(8, ...categories.map((category) => category.length)) + 2;
  const lines = [`${'category'.padEnd(width)}precision  recall     f1  support`];
  for (const category of categories) {
    const { precision, recall, f1, support } = report.perCategory[category]!;
    lines.push(
      `${category.padEnd(width)}${precision.toFixed(4).padStart(9)}${recall.toFixed(4).padStart(8)}${f1.toFixed(4).padStart(7)}${String(support).padStart(9)}`,
    );
  }
  lines.push('', `accuracy ${report.accuracy.toFixed(4)}   macro-F1 ${report.macroF1.toFixed(4)}   n ${report.n}`, '');
  lines.push(`confusion (rows: expected, columns: predicted)`);
  const short = (category: string) => category.slice(0, 8);
  lines.push(`${''.padEnd(width)}${categories.map((category) => short(category).padStart(9)).join('')}`);
  for (const expected of categories) {
    lines.push(`${expected.padEnd(width)}${categories.map((predicted) => String(report.confusion[expected]![predicted]).padStart(9)).join('')}`);
  }
  return lines.join('\n');
}

function round(value: number): number {
  return Math.round(value * 10000) / 10000;
}
