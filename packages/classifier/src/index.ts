export { loadClassifier, HashLinearClassifier, type Classifier, type Decision, type LoadOptions } from './classifier.ts';
export { benchClassifier, BENCH_MESSAGES } from './bench.ts';
export { detectLanguage } from './language.ts';
export { foldText } from './normalize.ts';
export { TRADITIONAL_TO_SIMPLIFIED } from './chinese-variants.ts';
export { FeatureExtractor, type FeatureConfig } from './features.ts';
export { decidePriority, type PriorityDecision } from './priority.ts';
export { loadTaxonomy, DEFAULT_TAXONOMY_PATH, type Taxonomy } from './taxonomy.ts';
export { DEFAULT_MODEL_PATH, MODEL_FORMAT, readModelArtifact, type ModelArtifact, type ModelClass } from './model.ts';
export {
  currentVersion,
  EMPTY_MANIFEST,
  LiveClassifier,
  loadRegisteredClassifier,
  MANIFEST_FILE,
  modelFiles,
  readManifest,
  REGISTRY_FORMAT,
  RegistryManifest,
  registryDirFromEnv,
  type LiveClassifierOptions,
  type RegisteredModel,
  type RegistryEvent,
  type SetScore,
} from './registry.ts';
export { parseTaxonomy, TaxonomyFile, type CategoryDefinition } from './taxonomy.ts';
