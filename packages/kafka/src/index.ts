export * from './settings.ts';
export * from './admin.ts';
export * from './producer.ts';
export * from './consumer.ts';
export * from './errors.ts';
export * from './reader.ts';
export * from './shutdown.ts';
export * from './kafkajs-log.ts';
