export * from './contract.ts';
export * from './host.ts';
export * from './text.ts';
export * from './modules.ts';
