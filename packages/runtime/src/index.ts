export * from './config.ts';
export * from './logger.ts';
export * from './retry.ts';
export * from './metrics.ts';
export * from './lifecycle.ts';
export * from './crypto.ts';
export * from './random.ts';
export * from './parent.ts';
