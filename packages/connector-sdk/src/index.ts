export * from './contract.ts';
export * from './channel.ts';
export * from './registry.ts';
export * from './host.ts';
export * from './text.ts';
export * from './modules.ts';
export * from './attachments.ts';
export * from './journal.ts';
