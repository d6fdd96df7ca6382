export * from './ledger.ts';
export { HttpWalletLedger, LEDGER_TIMEOUT_MS, type HttpLedgerOptions } from './http-ledger.ts';
export * from './matching.ts';
export * from './customer.ts';
export { walletSection, type RefundStatus, type TicketMessage, type WalletSection } from './view.ts';
export { walletFields, walletSettingsOf, type WalletSettings } from './config.ts';
