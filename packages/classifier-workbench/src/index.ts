export { banking77TestPath, banking77TrainPath, EVALUATION_DIR, OWN_TRAINING_DIR, ownTrainingFiles, readLabelledFile, type LabelledText } from './data.ts';
export { decisionLine, evaluateFile, evaluateRows } from './evaluate.ts';
export { evaluatePredictions, formatReport, type CategoryMetrics, type EvaluationReport } from './metrics.ts';
export { DEFAULT_TRAINING_OPTIONS, trainModel, trainWeights, type TrainingExample, type TrainingOptions } from './train.ts';
export { buildTrainingSet, type HeldOutSplit, type TargetGranularity, type TrainingSet } from './training-set.ts';
