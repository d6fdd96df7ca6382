import { configSpec, field } from '@switchboard/runtime';

/** Every variable the connector reads: validation, defaults, the README's table and its secrets. */
export const phoneConfig = configSpec('connector-phone', {
  PHONE_WEBHOOK_SECRET: field
    .pattern(/^.{16,}$/, 'at least 16 characters')
    .secret()
    .describe('HMAC-SHA256 key of the `x-signature` header; the connector starts when it is set.')
    .example('a-webhook-secret-of-32-characters'),
  PHONE_ACCOUNT: field.text('phone').describe('Which of our accounts on Phone receives the messages.'),
});

export interface PhoneConfig {
  webhookSecret: string;
  account: string;
}

/** The connector's config, or undefined when the channel is not configured. */
export function phoneConfigFromEnv(env: NodeJS.ProcessEnv): PhoneConfig | undefined {
  if (!phoneConfig.anySet(env, ['PHONE_WEBHOOK_SECRET'])) return undefined;
  const config = phoneConfig.load(env);
  return { webhookSecret: config.PHONE_WEBHOOK_SECRET!, account: config.PHONE_ACCOUNT };
}
