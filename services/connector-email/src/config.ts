import { z } from 'zod';
import { configSpec, field, PermanentError, registerSecret, RETRY_BUDGETS, secretString } from '@switchboard/runtime';

const RECONNECT = RETRY_BUDGETS['email.imap-reconnect'];

/** One of our mailboxes: where customers write (IMAP) and how we answer (SMTP). */
export const EmailAccount = z.object({
  name: z.string().min(1).optional().describe('Our name of the account (the envelope `account`); defaults to the address.'),
  address: z.email().describe('The address customers write to; our replies come from it.'),
  displayName: z.string().optional().describe('Display name of our replies, e.g. "Wallet Support".'),
  messageIdDomain: z.string().optional().describe('Domain of our outbound Message-IDs; defaults to the domain of `address`.'),
  imap: z.object({
    host: z.string().min(1),
    port: z.number().int().min(1).max(65535).default(993),
    secure: z.boolean().default(true).describe('Implicit TLS (993); false = plain, upgraded with STARTTLS when the server offers it.'),
    user: z.string().min(1),
    password: secretString(),
    mailboxes: z.array(z.string().min(1)).min(1).default(['INBOX']).describe('Mailboxes to ingest, each with its own cursor.'),
  }),
  smtp: z.object({
    host: z.string().min(1),
    port: z.number().int().min(1).max(65535).default(465),
    secure: z.boolean().default(true).describe('Implicit TLS (465); false = plain, STARTTLS when offered.'),
    user: z.string().optional(),
    password: secretString().optional(),
  }),
});
export type EmailAccountInput = z.input<typeof EmailAccount>;
export interface EmailAccountConfig extends z.infer<typeof EmailAccount> {
  name: string;
}

/** The env vars of the email channel: validation, defaults, the README's config table and its secrets. */
export const emailConfigSpec = configSpec('connector-email', {
  EMAIL_ACCOUNTS: field
    .json(z.array(EmailAccount).min(1))
    .secret()
    .describe(
      'Several mailboxes: a JSON array of `{name?, address, displayName?, messageIdDomain?, imap: {host, port, secure, user, password, mailboxes}, smtp: {host, port, secure, user?, password?}}`. Takes precedence over the single-account variables below.',
    ),
  EMAIL_ADDRESS: field.optional().describe('One mailbox: the address customers write to. The channel starts when this (or EMAIL_ACCOUNTS) is set.').example('support@wallet.example'),
  EMAIL_ACCOUNT_NAME: field.optional().describe('One mailbox: our name of the account (envelope `account`); defaults to EMAIL_ADDRESS.'),
  EMAIL_DISPLAY_NAME: field.optional().describe('One mailbox: display name of our replies.').example('Wallet Support'),
  EMAIL_IMAP_HOST: field.optional().describe('One mailbox: IMAP server host.').example('imap.wallet.example'),
  EMAIL_IMAP_PORT: field.int(993, 1, 65535).describe('One mailbox: IMAP port.'),
  EMAIL_IMAP_SECURE: field.bool(true).describe('One mailbox: IMAP over implicit TLS.'),
  EMAIL_IMAP_USER: field.optional().describe('One mailbox: IMAP user; defaults to EMAIL_ADDRESS.'),
  EMAIL_IMAP_PASSWORD: field.optional().secret().describe('One mailbox: IMAP password.').example('imap-password-1234'),
  EMAIL_IMAP_MAILBOX: field.list().describe('One mailbox: comma-separated mailboxes to ingest (default INBOX).'),
  EMAIL_SMTP_HOST: field.optional().describe('One mailbox: SMTP host for replies; defaults to EMAIL_IMAP_HOST.'),
  EMAIL_SMTP_PORT: field.int(465, 1, 65535).describe('One mailbox: SMTP port.'),
  EMAIL_SMTP_SECURE: field.bool(true).describe('One mailbox: SMTP over implicit TLS.'),
  EMAIL_SMTP_USER: field.optional().describe('One mailbox: SMTP user; defaults to the IMAP user.'),
  EMAIL_SMTP_PASSWORD: field.optional().secret().describe('One mailbox: SMTP password; defaults to the IMAP password.'),
  EMAIL_OWN_ADDRESSES: field.list().describe('Further addresses of ours (comma-separated): mail from them is marked automatic, never a ticket.'),
  EMAIL_POLL_INTERVAL_MS: field.int(60_000, 100).describe('Polling fallback: a mailbox is re-checked this often even when IDLE reported nothing.').advanced(),
  EMAIL_IDLE_DELAY_MS: field.int(1_000, 0).describe('Quiet time after which the IMAP connection enters IDLE.').advanced(),
  EMAIL_SESSION_MAX_MS: field
    .int(1_800_000, 1_000)
    .describe('An IMAP session is replaced by a new one after this long: a mailbox rebuilt under a session the server did not tell is seen at the latest then.')
    .advanced(),
  EMAIL_RECONNECT_INITIAL_MS: field.int(RECONNECT.initialMs, 10).describe('First delay before reconnecting after a dropped connection (then exponential backoff).').advanced(),
  EMAIL_RECONNECT_MAX_MS: field.int(RECONNECT.maxMs, 10).describe('Largest delay between reconnects.').advanced(),
  EMAIL_FETCH_BATCH: field.int(25, 1, 1000).describe('Messages fetched and produced per batch (one checkpoint per batch).').advanced(),
  EMAIL_MAX_MESSAGE_BYTES: field
    .int(25 * 1024 * 1024, 1024)
    .describe('Larger messages are read from their first this many bytes; the whole is streamed to the attachment store as original.eml (`meta.original`).')
    .advanced(),
  EMAIL_MAX_ATTACHMENT_BYTES: field.int(10 * 1024 * 1024, 0).describe('Larger attachments are recorded (name, type, size, sha256) but their bytes are not kept.').advanced(),
});
type EmailEnv = ReturnType<typeof emailConfigSpec.load>;

export interface EmailConfig {
  accounts: EmailAccountConfig[];
  ownAddresses: string[];
  pollIntervalMs: number;
  idleDelayMs: number;
  sessionMaxMs: number;
  reconnect: { initialMs: number; maxMs: number };
  fetchBatch: number;
  maxMessageBytes: number;
  maxAttachmentBytes: number;
}

export class EmailConfigError extends PermanentError {
  override readonly name = 'EmailConfigError';
}

/** The email channel's config, or undefined when no mailbox is configured (the channel stays off). */
export function emailConfigFromEnv(env: NodeJS.ProcessEnv): EmailConfig | undefined {
  if (!emailConfigSpec.anySet(env, ['EMAIL_ACCOUNTS', 'EMAIL_ADDRESS'])) return undefined;
  const parsed = emailConfigSpec.load(env);
  const accounts = parsed.EMAIL_ACCOUNTS ?? [singleAccount(parsed)];
  return emailConfig(accounts, {
    ownAddresses: parsed.EMAIL_OWN_ADDRESSES,
    pollIntervalMs: parsed.EMAIL_POLL_INTERVAL_MS,
    idleDelayMs: parsed.EMAIL_IDLE_DELAY_MS,
    sessionMaxMs: parsed.EMAIL_SESSION_MAX_MS,
    reconnect: { initialMs: parsed.EMAIL_RECONNECT_INITIAL_MS, maxMs: parsed.EMAIL_RECONNECT_MAX_MS },
    fetchBatch: parsed.EMAIL_FETCH_BATCH,
    maxMessageBytes: parsed.EMAIL_MAX_MESSAGE_BYTES,
    maxAttachmentBytes: parsed.EMAIL_MAX_ATTACHMENT_BYTES,
  });
}

const DEFAULTS: Omit<EmailConfig, 'accounts'> = {
  ownAddresses: [],
  pollIntervalMs: 60_000,
  idleDelayMs: 1_000,
  sessionMaxMs: 1_800_000,
  reconnect: { initialMs: RECONNECT.initialMs, maxMs: RECONNECT.maxMs },
  fetchBatch: 25,
  maxMessageBytes: 25 * 1024 * 1024,
  maxAttachmentBytes: 10 * 1024 * 1024,
};

/** Builds a config in code (tests, the gateway): validates the accounts, registers their passwords as secrets. */
export function emailConfig(accounts: EmailAccountInput[], options: Partial<Omit<EmailConfig, 'accounts'>> = {}): EmailConfig {
  const validated = accounts.map((input, index) => {
    const result = EmailAccount.safeParse(input);
    if (!result.success) {
      throw new EmailConfigError(`email account ${index}: ${result.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
    }
    // Accounts built in code bypass the spec's loader, so their passwords are registered here.
    registerSecret(result.data.imap.password);
    registerSecret(result.data.smtp.password);
    return { ...result.data, name: result.data.name ?? result.data.address.toLowerCase() };
  });
  const names = validated.map((a) => a.name);
  const duplicate = names.find((name, i) => names.indexOf(name) !== i);
  if (duplicate) throw new EmailConfigError(`two email accounts are named ${duplicate}`);
  return { ...DEFAULTS, ...options, accounts: validated };
}

function singleAccount(parsed: EmailEnv): EmailAccountInput {
  const address = parsed.EMAIL_ADDRESS!;
  const missing = [!parsed.EMAIL_IMAP_HOST && 'EMAIL_IMAP_HOST', !parsed.EMAIL_IMAP_PASSWORD && 'EMAIL_IMAP_PASSWORD'].filter(Boolean);
  if (missing.length > 0) throw new EmailConfigError(`EMAIL_ADDRESS is set, so the email channel also needs ${missing.join(' and ')}`);
  const imapUser = parsed.EMAIL_IMAP_USER ?? address;
  const smtpUser = parsed.EMAIL_SMTP_USER ?? imapUser;
  const smtpPassword = parsed.EMAIL_SMTP_PASSWORD ?? parsed.EMAIL_IMAP_PASSWORD;
  return {
    address,
    ...(parsed.EMAIL_ACCOUNT_NAME ? { name: parsed.EMAIL_ACCOUNT_NAME } : {}),
    ...(parsed.EMAIL_DISPLAY_NAME ? { displayName: parsed.EMAIL_DISPLAY_NAME } : {}),
    imap: {
      host: parsed.EMAIL_IMAP_HOST!,
      port: parsed.EMAIL_IMAP_PORT,
      secure: parsed.EMAIL_IMAP_SECURE,
      user: imapUser,
      password: parsed.EMAIL_IMAP_PASSWORD!,
      mailboxes: parsed.EMAIL_IMAP_MAILBOX.length > 0 ? parsed.EMAIL_IMAP_MAILBOX : ['INBOX'],
    },
    smtp: {
      host: parsed.EMAIL_SMTP_HOST ?? parsed.EMAIL_IMAP_HOST!,
      port: parsed.EMAIL_SMTP_PORT,
      secure: parsed.EMAIL_SMTP_SECURE,
      user: smtpUser,
      ...(smtpPassword ? { password: smtpPassword } : {}),
    },
  };
}
