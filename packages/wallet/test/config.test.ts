/** The wallet's variables: off when unset, both-or-neither, the fee tolerance, the mapping file. */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { configSpec } from '@switchboard/runtime';
import { walletFields, walletSettingsOf } from '../src/index.ts';

const spec = configSpec('wallet-test', walletFields);
const load = (env: Record<string, string>) => walletSettingsOf(spec.load(env));
const dir = mkdtempSync(join(tmpdir(), 'sb-wallet-config-'));
const file = (name: string, text: string) => {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
};
const BASE = { WALLET_API_BASE: 'https://wallet.internal', WALLET_API_TOKEN: 'wallet-token-123456' };

describe('walletSettingsOf', () => {
  it('is off when no ledger is configured, and needs the token with the base', () => {
    expect(load({})).toBeUndefined();
    expect(() => load({ WALLET_API_BASE: 'https://wallet.internal' })).toThrow('WALLET_API_BASE and WALLET_API_TOKEN: set both or neither');
    expect(() => load({ ...BASE, WALLET_API_BASE: 'wallet.internal' })).toThrow('WALLET_API_BASE: an http(s) URL');
  });

  it('reads the fee tolerance as a percentage or an amount, 1% by default', () => {
    expect(load(BASE)?.match.feeTolerance).toEqual({ percent: '1' });
    expect(load({ ...BASE, WALLET_FEE_TOLERANCE: '2.5%' })?.match.feeTolerance).toEqual({ percent: '2.5' });
    expect(load({ ...BASE, WALLET_FEE_TOLERANCE: '2.00' })?.match.feeTolerance).toEqual({ absolute: '2.00' });
    expect(() => load({ ...BASE, WALLET_FEE_TOLERANCE: 'lots' })).toThrow('WALLET_FEE_TOLERANCE');
  });

  it('reads the mapping file, and says what is wrong with one without quoting it', () => {
    const good = file('good.json', JSON.stringify({ 'wechat:oa:wx1:openid-9': 'cus_mapped' }));
    expect([...load({ ...BASE, WALLET_CUSTOMER_MAP_FILE: good })!.mapping]).toEqual([['wechat:oa:wx1:openid-9', 'cus_mapped']]);
    const broken = file('broken.json', '{"wechat:oa:secret-openid": "cus_');
    expect(() => load({ ...BASE, WALLET_CUSTOMER_MAP_FILE: broken })).toThrow(/WALLET_CUSTOMER_MAP_FILE: not valid JSON$/m);
    const wrong = file('wrong.json', JSON.stringify({ 'wechat:x': 42 }));
    expect(() => load({ ...BASE, WALLET_CUSTOMER_MAP_FILE: wrong })).toThrow(/WALLET_CUSTOMER_MAP_FILE: wechat:x: Invalid input/);
  });

  it('never echoes the token in a refusal', () => {
    const error = (() => {
      try {
        load({ WALLET_API_TOKEN: 'has a space-secret-1' });
      } catch (e) {
        return e as Error;
      }
      throw new Error('expected a refusal');
    })();
    expect(error.message).toContain('WALLET_API_TOKEN');
    expect(error.message).not.toContain('space-secret');
  });
});
