export { startRouter, route, type RouterOptions } from './router.ts';
export { redact, redactMessage } from './redact.ts';
export { routerConfigSchema, type RouterConfig } from './config.ts';
