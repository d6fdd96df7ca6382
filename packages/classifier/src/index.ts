export { loadClassifier, HashLinearClassifier, type Classifier, type Decision, type LoadOptions } from './classifier.ts';
export { benchClassifier, BENCH_MESSAGES } from './bench.ts';
export { detectLanguage } from './language.ts';
export { foldText } from './normalize.ts';
export { decidePriority, type PriorityDecision } from './priority.ts';
export { loadTaxonomy, DEFAULT_TAXONOMY_PATH, type Taxonomy } from './taxonomy.ts';
export { DEFAULT_MODEL_PATH } from './model.ts';
export { evaluateFile } from './evaluate.ts';
export type { EvaluationReport, CategoryMetrics } from './metrics.ts';
