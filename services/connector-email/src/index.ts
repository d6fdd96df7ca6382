import type { ConnectorModule } from '@switchboard/connector-sdk';
import { emailConfigFromEnv } from './config.ts';
import { createEmailConnector } from './connector.ts';
import { manifest } from './channel.ts';

export { emailConfigFromEnv, emailConfig, emailConfigSpec, EmailAccount, EmailConfigError, type EmailConfig, type EmailAccountConfig, type EmailAccountInput } from './config.ts';
export { createEmailConnector, EmailConnector, UnknownEmailAccountError } from './connector.ts';
export { normalizeEmail, UnparseableEmailError, syntheticMessageId, storageRefOf, type NormalizedEmail, type NormalizeOptions } from './normalize.ts';
export { threadOf, threadFields, emailConversationKey, ticketConversationKey, parseMessageIds, REPLY_PREFIX, type Threading, type ThreadingReason } from './threading.ts';
export { manifest } from './channel.ts';
export { buildOutgoingMail, outboundMessageId, ownMessageIdDomains, NoRecipientError } from './outbound.ts';
export { stripQuotedText } from './quotes.ts';
export { automaticReason } from './automatic.ts';
export { spamVerdict } from './spam.ts';
export { readDeliveryStatus, bouncedReply, type DeliveryStatus } from './dsn.ts';
export { firstMailbox, addressProblem } from './sender.ts';
export { MailboxWatcher, type MailboxPosition } from './mailbox.ts';

/** Found by the gateway (package.json `switchboard.connector`): one connector for every configured mailbox. */
export const connectorModule: ConnectorModule = {
  ...manifest,
  fromEnv(env) {
    const config = emailConfigFromEnv(env);
    return config ? [createEmailConnector(config)] : [];
  },
};
