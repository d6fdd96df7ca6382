export * from './envelope.ts';
export * from './topics.ts';
export * from './ids.ts';
export { parseWith, SchemaError } from './parse.ts';
