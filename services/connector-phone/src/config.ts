import { ConfigError, configSpec, field } from '@switchboard/runtime';

export const DEFAULT_TWILIO_API = 'https://api.twilio.com';

/** Every variable the connector reads: validation, defaults, the README's table and its secrets. */
export const phoneConfig = configSpec('connector-phone', {
  TWILIO_AUTH_TOKEN: field
    .pattern(/^[0-9a-f]{32}$/, "32 hex digits (the account's Auth Token)")
    .secret()
    .describe('Auth token of the Twilio account: verifies X-Twilio-Signature on every callback and fetches recordings. With PHONE_PUBLIC_URL it turns the Twilio callbacks on.')
    .example('d3b07384d113edec49eaa6238ad5ff00'),
  PHONE_PUBLIC_URL: field
    .pattern(/^https?:\/\/[^\s]+$/, 'an http(s) URL')
    .describe('The base URL Twilio calls (and signs), e.g. `https://hotline.example.com`: the callbacks are this plus `/webhooks/twilio/voice/status`, `/recording`, `/transcription`.')
    .example('https://hotline.example.com'),
  PHONE_CTI_TOKEN: field
    .token(16)
    .secret()
    .describe('Token in the path of the PBX push API `POST /webhooks/cti/<token>` (Zammad-compatible newCall, answer, hangup); the API is on when it is set.')
    .example('cti-token-3f9a1c7e5b2d4f60'),
  PHONE_ACCOUNT: field.text('hotline').describe("Our account the calls belong to: one conversation per caller's number on it."),
  PHONE_DEFAULT_REGION: field.text('CN').describe('Region (ISO 3166 code) of numbers written without a country code, for E.164.'),
  PHONE_SETTLE_SECONDS: field.int(5, 0, 600).describe('Quiet time after a call\'s last callback before it is produced, so callbacks that arrive out of order are folded in first.'),
  PHONE_SILENCE_MINUTES: field.int(240, 1).describe('A call with no hangup reported for this long is closed as it stands (a missed call when nobody answered).').advanced(),
  PHONE_RECORDING_FORMAT: field.oneOf(['wav', 'mp3'], 'wav').describe("Format recordings are fetched in (Twilio's RecordingUrl plus `.wav` or `.mp3`)."),
  PHONE_RECORDING_MAX_BYTES: field.int(25 * 1024 * 1024, 1).describe("Largest recording fetched; a larger one is not kept (the call's message goes out without it).").advanced(),
  TWILIO_API_BASE: field.url(DEFAULT_TWILIO_API).describe('Base URL of the Twilio REST API; recordings are fetched from it only. Tests point it at a local server.').advanced(),
});

export interface PhoneConfig {
  account: string;
  region: string;
  settleMs: number;
  silenceMs: number;
  twilio?: { authToken: string; publicUrl: string; apiBase: string; format: 'wav' | 'mp3'; maxBytes: number };
  ctiToken?: string;
}

/** The connector's config, or undefined when neither Twilio nor the CTI API is configured. */
export function phoneConfigFromEnv(env: NodeJS.ProcessEnv): PhoneConfig | undefined {
  if (!phoneConfig.anySet(env, ['TWILIO_AUTH_TOKEN', 'PHONE_CTI_TOKEN'])) return undefined;
  const cfg = phoneConfig.load(env);
  if (cfg.TWILIO_AUTH_TOKEN && !cfg.PHONE_PUBLIC_URL) {
    throw new ConfigError('connector-phone', ['PHONE_PUBLIC_URL: required with TWILIO_AUTH_TOKEN (the base URL Twilio signs its callbacks with)']);
  }
  if (!/^[A-Z]{2}$/.test(cfg.PHONE_DEFAULT_REGION)) throw new ConfigError('connector-phone', ['PHONE_DEFAULT_REGION: a two-letter region code such as CN']);
  const config: PhoneConfig = {
    account: cfg.PHONE_ACCOUNT,
    region: cfg.PHONE_DEFAULT_REGION,
    settleMs: cfg.PHONE_SETTLE_SECONDS * 1000,
    silenceMs: cfg.PHONE_SILENCE_MINUTES * 60_000,
  };
  if (cfg.TWILIO_AUTH_TOKEN) {
    config.twilio = {
      authToken: cfg.TWILIO_AUTH_TOKEN,
      publicUrl: cfg.PHONE_PUBLIC_URL!,
      apiBase: cfg.TWILIO_API_BASE,
      format: cfg.PHONE_RECORDING_FORMAT ?? 'wav',
      maxBytes: cfg.PHONE_RECORDING_MAX_BYTES,
    };
  }
  if (cfg.PHONE_CTI_TOKEN) config.ctiToken = cfg.PHONE_CTI_TOKEN;
  return config;
}
