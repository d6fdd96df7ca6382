export { startRouter, route, type RouterOptions } from './router.ts';
export { redact, redactMessage } from './redact.ts';
export { routerConfig, classifierFields, classifierSettings, entityFields, entitySettings, loadRouterConfig, DEFAULT_ROUTER_GROUP, type ClassifierSettings, type RouterConfig } from './config.ts';
export { routerClassifier } from './classifier.ts';
export { scheduleRetrain, trainScriptPath, TRAIN_EXIT, type RetrainSchedule, type RetrainScheduleOptions } from './retrain.ts';
export { extractEntities, DEFAULT_ENTITY_OPTIONS, DEFAULT_REFERENCE_PATTERNS, DEFAULT_TIME_ZONE, compileReferences, type EntityOptions, type ReferencePattern } from './entities/index.ts';
