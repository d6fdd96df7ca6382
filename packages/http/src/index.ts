export * from './server.ts';
export * from './auth.ts';
