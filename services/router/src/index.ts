export { startRouter, route, type RouterOptions } from './router.ts';
export { redact, redactMessage } from './redact.ts';
export { routerConfig, classifierModelFields, DEFAULT_ROUTER_GROUP, type RouterConfig } from './config.ts';
