import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { ConfigError, configSpec, field, maskSecrets, secretString } from '../src/index.ts';

const Account = z.object({ user: z.string().min(1), password: secretString(), backup: z.object({ password: secretString().optional() }).optional() });

const spec = configSpec('demo', {
  PORT: field.int(8080, 1, 65_535).describe('port'),
  DEBUG: field.bool(false).describe('debug'),
  HOSTS: field.list(['a']).describe('hosts'),
  NAME: field.text('demo').describe('name').advanced(),
  MODE: field.oneOf(['fast', 'safe'], 'safe').describe('mode'),
  API_TOKEN: field.pattern(/^\S{12,}$/, 'at least 12 characters').secret().describe('token').example('0123456789abcdef'),
  DB: field.connectionUrl().describe('database'),
  ACCOUNTS: field.json(z.array(Account).min(1)).secret().describe('accounts'),
});

const failure = (env: NodeJS.ProcessEnv): ConfigError => {
  try {
    spec.load(env);
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
  throw new Error('expected a ConfigError');
};

describe('a config spec', () => {
  it('applies defaults and converts env strings', () => {
    expect(spec.load({})).toEqual({ PORT: 8080, DEBUG: false, HOSTS: ['a'], NAME: 'demo', MODE: 'safe', API_TOKEN: undefined, DB: undefined, ACCOUNTS: undefined });
    const loaded = spec.load({ PORT: '9000', DEBUG: 'yes', HOSTS: 'x, y,,z', NAME: '', MODE: 'fast', API_TOKEN: 'token-0123456789' });
    expect(loaded).toMatchObject({ PORT: 9000, DEBUG: true, HOSTS: ['x', 'y', 'z'], NAME: 'demo', MODE: 'fast', API_TOKEN: 'token-0123456789' });
  });

  it('names every bad variable, echoes ordinary values and never a secret', () => {
    const error = failure({ PORT: 'eighty', MODE: 'slow', API_TOKEN: 'tiny-secret', DEBUG: 'maybe' });
    expect(error.message).toContain('invalid configuration for demo');
    expect(error.message).toMatch(/PORT: a whole number \(got "eighty"\)/);
    expect(error.message).toMatch(/MODE: .* \(got "slow"\)/);
    expect(error.message).toMatch(/DEBUG: /);
    expect(error.message).toMatch(/API_TOKEN: at least 12 characters/);
    expect(error.message).not.toContain('tiny-secret');
  });

  it('says where a JSON document is broken without quoting it', () => {
    const broken = '[{"user": "ann", "password": "hunter2-very-secret" "backup": {}}]';
    const error = failure({ ACCOUNTS: broken });
    expect(error.problems).toEqual([expect.stringMatching(/^ACCOUNTS: not valid JSON \(syntax error at character \d+, line 1\)$/)]);
    expect(error.message).not.toContain('hunter2');
    const unfinished = failure({ ACCOUNTS: '[{"user": "ann", "password": "hunter2-very-secret"' });
    expect(unfinished.message).not.toContain('hunter2');
  });

  it('names the field inside a JSON document that is wrong, not its value', () => {
    const error = failure({ ACCOUNTS: JSON.stringify([{ user: '', password: 'hunter2-very-secret' }]) });
    expect(error.problems).toEqual([expect.stringMatching(/^ACCOUNTS\[0\]\.user: /)]);
    expect(error.message).not.toContain('hunter2');
  });

  it('registers secrets, secret strings inside documents and URL passwords with the masker', () => {
    spec.load({
      API_TOKEN: 'token-abcdefghijkl',
      DB: 'postgres://app:db-pass-123456@db:5432/x',
      ACCOUNTS: JSON.stringify([{ user: 'ann', password: 'mail-pass-123456', backup: { password: 'backup-pass-123456' } }]),
    });
    expect(maskSecrets('a token-abcdefghijkl b')).toBe('a *** b');
    expect(maskSecrets('postgres://app:db-pass-123456@db')).toBe('postgres://app:***@db');
    expect(maskSecrets('mail-pass-123456 backup-pass-123456 ann')).toBe('*** *** ann');
  });

  it('documents itself: defaults, secrets and examples, advanced fields apart', () => {
    const table = spec.table();
    expect(table).toContain('| `PORT` | `8080` | port |');
    expect(table).toContain('| `API_TOKEN` |  | token **Secret.** Example: `0123456789abcdef`. |');
    expect(table.indexOf('Advanced:')).toBeLessThan(table.indexOf('`NAME`'));
    expect(spec.secrets()).toEqual(['API_TOKEN', 'DB', 'ACCOUNTS']);
  });

  it('extends into a larger spec and tells whether any of some variables is set', () => {
    const larger = spec.extend('larger', { EXTRA: field.optional().describe('extra') });
    expect(larger.component).toBe('larger');
    expect(Object.keys(larger.fields)).toContain('EXTRA');
    expect(spec.anySet({ HOSTS: ' ' }, ['HOSTS', 'NAME'])).toBe(false);
    expect(spec.anySet({ NAME: 'x' }, ['HOSTS', 'NAME'])).toBe(true);
  });
});
