export * from './envelope.ts';
export * from './ledger.ts';
export * from './topics.ts';
export * from './ids.ts';
export { parseWith, SchemaError } from './parse.ts';
export { TOPIC_VALUE_SCHEMAS, TOPIC_EXAMPLES, jsonSchemaOf, asyncApiDocument, type RegisteredChannel } from './docs.ts';
export { toYaml } from './yaml.ts';
export { compatibilityProblems } from './compatibility.ts';
