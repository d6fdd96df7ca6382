export { startRouter, route, type RouterOptions } from './router.ts';
export { redact, redactMessage } from './redact.ts';
export { routerConfig, classifierFields, classifierSettings, loadRouterConfig, DEFAULT_ROUTER_GROUP, type ClassifierSettings, type RouterConfig } from './config.ts';
export { routerClassifier } from './classifier.ts';
export { scheduleRetrain, trainScriptPath, TRAIN_EXIT, type RetrainSchedule, type RetrainScheduleOptions } from './retrain.ts';
