export * from './settings.ts';
export * from './admin.ts';
export * from './producer.ts';
export * from './consumer.ts';
export * from './dead-letters.ts';
export * from './reader.ts';
