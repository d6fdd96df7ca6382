import { describe, expect, it } from 'vitest';
import { connectorModule, metaConfigFromEnv } from '../src/index.ts';

const base = { META_APP_SECRET: '0123456789abcdef0123456789ABCDEF', META_VERIFY_TOKEN: 'wallet-meta-verify-2026' };

describe('the configuration', () => {
  it('starts nothing without META_APP_SECRET', async () => {
    expect(metaConfigFromEnv({})).toBeUndefined();
    expect(await connectorModule.fromEnv({ META_VERIFY_TOKEN: 'wallet-meta-verify-2026' })).toEqual([]);
  });

  it('reads the webhook alone, then each product when its variables are set', () => {
    expect(metaConfigFromEnv(base)).toEqual({ appSecret: base.META_APP_SECRET, verifyToken: base.META_VERIFY_TOKEN, graphBase: 'https://graph.facebook.com/v25.0', mediaMaxBytes: 25 * 1024 * 1024 });
    const full = metaConfigFromEnv({
      ...base,
      META_PAGE_ACCESS_TOKEN: 'EAAGm0PX4ZCpsBAPageTokenExample0123',
      WHATSAPP_ACCESS_TOKEN: 'EAAGm0PX4ZCpsBAWhatsAppTokenExample4567',
      WHATSAPP_PHONE_NUMBER_ID: '106540352242922',
      WHATSAPP_TEMPLATE_NAME: 'support_reply',
      WHATSAPP_TEMPLATE_LANGUAGE: 'zh_CN',
      WHATSAPP_TEMPLATE_PARAMETERS: 'ticket, text',
      META_GRAPH_BASE: 'http://127.0.0.1:9999/v25.0/',
      META_MEDIA_MAX_BYTES: '1048576',
    });
    expect(full).toEqual({
      appSecret: base.META_APP_SECRET,
      verifyToken: base.META_VERIFY_TOKEN,
      graphBase: 'http://127.0.0.1:9999/v25.0',
      mediaMaxBytes: 1048576,
      pageAccessToken: 'EAAGm0PX4ZCpsBAPageTokenExample0123',
      whatsapp: { accessToken: 'EAAGm0PX4ZCpsBAWhatsAppTokenExample4567', phoneNumberId: '106540352242922', template: { name: 'support_reply', language: 'zh_CN', parameters: ['ticket', 'text'] } },
    });
  });

  it.each([
    ['no verify token', { META_APP_SECRET: base.META_APP_SECRET }, /META_VERIFY_TOKEN is not/],
    ['an app secret that is not one', { ...base, META_APP_SECRET: 'not-the-secret' }, /META_APP_SECRET: the 32 hexadecimal characters/],
    ['a WhatsApp token without its number', { ...base, WHATSAPP_ACCESS_TOKEN: 'EAAGm0PX4ZCpsBAWhatsAppTokenExample4567' }, /both WHATSAPP_ACCESS_TOKEN and WHATSAPP_PHONE_NUMBER_ID/],
    ['the phone number instead of its id', { ...base, WHATSAPP_PHONE_NUMBER_ID: '+1 555 078 3881' }, /WHATSAPP_PHONE_NUMBER_ID: the numeric id/],
    ['a template parameter that does not exist', { ...base, WHATSAPP_TEMPLATE_PARAMETERS: 'text,amount' }, /amount is not one of text, ticket, name/],
  ])('refuses %s with a message naming the variable', (_what, env, message) => {
    expect(() => metaConfigFromEnv(env)).toThrow(message);
  });
});
