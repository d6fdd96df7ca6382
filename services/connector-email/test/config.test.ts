import { describe, expect, it } from 'vitest';
import { ConfigError, maskSecrets } from '@switchboard/runtime';
import { emailConfigFromEnv, EmailConfigError } from '../src/config.ts';

const single = {
  EMAIL_ADDRESS: 'support@wallet.test',
  EMAIL_IMAP_HOST: 'imap.wallet.test',
  EMAIL_IMAP_PASSWORD: 'imap-password-123',
};

describe('emailConfigFromEnv', () => {
  it('is undefined when no mailbox is configured: the channel stays off', () => {
    expect(emailConfigFromEnv({})).toBeUndefined();
    expect(emailConfigFromEnv({ EMAIL_ACCOUNTS: '  ', EMAIL_IMAP_HOST: 'imap.wallet.test' })).toBeUndefined();
  });

  it('builds one account from the single-mailbox variables, with defaults', () => {
    const config = emailConfigFromEnv({ ...single, EMAIL_IMAP_MAILBOX: 'INBOX, Support', EMAIL_POLL_INTERVAL_MS: '5000' })!;
    expect(config.accounts).toHaveLength(1);
    const [account] = config.accounts;
    expect(account).toMatchObject({
      name: 'support@wallet.test',
      imap: { host: 'imap.wallet.test', port: 993, secure: true, user: 'support@wallet.test', mailboxes: ['INBOX', 'Support'] },
      smtp: { host: 'imap.wallet.test', port: 465, secure: true, user: 'support@wallet.test', password: 'imap-password-123' },
    });
    expect(config.pollIntervalMs).toBe(5000);
    expect(config.maxMessageBytes).toBe(25 * 1024 * 1024);
  });

  it('reads several accounts from EMAIL_ACCOUNTS and masks every password in logs', () => {
    const accounts = [
      { address: 'support@wallet.test', imap: { host: 'imap.a', user: 'u1', password: 'first-secret-pw' }, smtp: { host: 'smtp.a', password: 'smtp-secret-pw' } },
      { name: 'hk', address: 'hk@wallet.test', imap: { host: 'imap.b', port: 143, secure: false, user: 'u2', password: 'second-secret-pw', mailboxes: ['Support'] }, smtp: { host: 'smtp.b', port: 587, secure: false } },
    ];
    const config = emailConfigFromEnv({ EMAIL_ACCOUNTS: JSON.stringify(accounts) })!;
    expect(config.accounts.map((a) => a.name)).toEqual(['support@wallet.test', 'hk']);
    expect(config.accounts[1]!.imap).toMatchObject({ port: 143, secure: false, mailboxes: ['Support'] });
    expect(maskSecrets('login first-secret-pw second-secret-pw smtp-secret-pw')).toBe('login *** *** ***');
  });

  it('fails fast with readable errors', () => {
    expect(() => emailConfigFromEnv({ EMAIL_ACCOUNTS: '[{' })).toThrow(ConfigError);
    expect(() => emailConfigFromEnv({ EMAIL_ACCOUNTS: '[{' })).toThrow(/EMAIL_ACCOUNTS: not valid JSON \(syntax error at character 3, line 1\)/);
    expect(() => emailConfigFromEnv({ EMAIL_ACCOUNTS: JSON.stringify([{ address: 'not-an-address' }]) })).toThrow(/EMAIL_ACCOUNTS/);
    expect(() => emailConfigFromEnv({ EMAIL_ADDRESS: 'support@wallet.test' })).toThrow(EmailConfigError);
    expect(() => emailConfigFromEnv({ EMAIL_ADDRESS: 'support@wallet.test' })).toThrow(/EMAIL_IMAP_HOST and EMAIL_IMAP_PASSWORD/);
    expect(() => emailConfigFromEnv({ ...single, EMAIL_IMAP_PORT: 'abc' })).toThrow(/EMAIL_IMAP_PORT/);
  });
});
