import { describe, expect, it } from 'vitest';
import { ConfigError, maskSecrets } from '@switchboard/runtime';
import { connectorModule, wechatConfigFromEnv, WechatConfigError } from '../src/index.ts';

describe('WeChat config from env', () => {
  it('is undefined when neither the Official Account nor a bot is configured', () => {
    expect(wechatConfigFromEnv({})).toBeUndefined();
    expect(connectorModule.fromEnv({})).toEqual([]);
  });

  it('starts each part from its own variables and masks every secret in logs', () => {
    const config = wechatConfigFromEnv({
      WECHAT_OA_TOKEN: 'oa-token-for-config-test',
      WECHAT_OA_APPID: 'wx1234567890abcdef',
      WECHAT_OA_APPSECRET: 'oa-secret-for-config-test',
      WECHAT_OA_ENCODING_AES_KEY: 'abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG',
      WECHAT_API_BASE: 'http://127.0.0.1:8999/',
      WECHATY_PUPPET: 'wechaty-puppet-service',
      WECHATY_PUPPET_SERVICE_TOKEN: 'puppet-token-for-config-test',
    });
    expect(config).toMatchObject({
      officialAccount: { appId: 'wx1234567890abcdef', apiBase: 'http://127.0.0.1:8999', maxSkewSeconds: 300 },
      wechaty: { puppet: 'wechaty-puppet-service', puppetToken: 'puppet-token-for-config-test' },
    });
    expect(maskSecrets('oa-token-for-config-test oa-secret-for-config-test puppet-token-for-config-test abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG')).toBe('*** *** *** ***');
    expect(wechatConfigFromEnv({ WECHATY_PUPPET: 'wechaty-puppet-mock' })).toEqual({ wechaty: { puppet: 'wechaty-puppet-mock', maxFileBytes: 25 * 1024 * 1024 } });
  });

  it('starts WeCom customer service from its four variables, and says which are missing', () => {
    const env = {
      WECOM_CORP_ID: 'ww4f3a9c2b1d0e5f67',
      WECOM_KF_SECRET: 'kf-secret-for-config-test-0001',
      WECOM_TOKEN: 'wecom-token-for-config-test',
      WECOM_ENCODING_AES_KEY: 'ZYXWVUTSRQPONMLKJIHGFEDCBA9876543210abcdefg',
      WECOM_API_BASE: 'http://127.0.0.1:8998/',
      WECOM_OPEN_KFIDS: 'wkA,wkB',
    };
    expect(wechatConfigFromEnv(env)).toEqual({
      weComKf: {
        corpId: 'ww4f3a9c2b1d0e5f67',
        secret: 'kf-secret-for-config-test-0001',
        token: 'wecom-token-for-config-test',
        encodingAesKey: 'ZYXWVUTSRQPONMLKJIHGFEDCBA9876543210abcdefg',
        apiBase: 'http://127.0.0.1:8998',
        openKfIds: ['wkA', 'wkB'],
        syncIntervalSeconds: 300,
        maxMediaBytes: 20 * 1024 * 1024,
        maxSkewSeconds: 300,
      },
    });
    expect(maskSecrets('kf-secret-for-config-test-0001 wecom-token-for-config-test')).toBe('*** ***');
    expect(() => wechatConfigFromEnv({ WECOM_CORP_ID: 'ww4f3a9c2b1d0e5f67', WECOM_TOKEN: 'wecom-token-x' })).toThrow(/WECOM_CORP_ID, WECOM_KF_SECRET, WECOM_TOKEN and WECOM_ENCODING_AES_KEY/);
    expect(connectorModule.fromEnv(env)).toHaveLength(1);
  });

  it('fails fast on half an Official Account and on a malformed EncodingAESKey', () => {
    expect(() => wechatConfigFromEnv({ WECHAT_OA_TOKEN: 'only-the-token' })).toThrow(WechatConfigError);
    expect(() => wechatConfigFromEnv({ WECHAT_OA_TOKEN: 't0k3n-x', WECHAT_OA_APPID: 'wx1', WECHAT_OA_ENCODING_AES_KEY: 'short' })).toThrow(ConfigError);
  });
});
