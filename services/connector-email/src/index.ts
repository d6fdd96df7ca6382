import type { ConnectorModule } from '@switchboard/connector-sdk';
import { emailConfigFromEnv } from './config.ts';
import { createEmailConnector } from './connector.ts';

export { emailConfigFromEnv, emailConfig, emailEnvSchema, EmailAccount, EmailConfigError, type EmailConfig, type EmailAccountConfig, type EmailAccountInput } from './config.ts';
export { createEmailConnector, EmailConnector, UnknownEmailAccountError } from './connector.ts';
export { normalizeEmail, UnparseableEmailError, syntheticMessageId, storageRefOf, type NormalizedEmail, type NormalizeOptions } from './normalize.ts';
export { threadOf, emailConversationKey, ticketConversationKey, parseMessageIds, type Threading, type ThreadingReason } from './threading.ts';
export { buildOutgoingMail, outboundMessageId, NoRecipientError } from './outbound.ts';
export { stripQuotedText } from './quotes.ts';
export { automaticReason } from './automatic.ts';
export { MailboxWatcher, type MailboxPosition } from './mailbox.ts';

/** Found by the gateway (package.json `switchboard.connector`): one connector for every configured mailbox. */
export const connectorModule: ConnectorModule = {
  name: 'email',
  fromEnv(env) {
    const config = emailConfigFromEnv(env);
    return config ? [createEmailConnector(config)] : [];
  },
};
