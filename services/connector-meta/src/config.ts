import { configSpec, field, PermanentError } from '@switchboard/runtime';

/** What may fill the approved template's body variables {{1}}, {{2}}, … in order. */
export const TEMPLATE_PARAMETERS = ['text', 'ticket', 'name'] as const;
export type TemplateParameter = (typeof TEMPLATE_PARAMETERS)[number];

/** Every variable the connector reads: validation, defaults, the README's table and its secrets. */
export const metaConfig = configSpec('connector-meta', {
  META_APP_SECRET: field
    .pattern(/^[0-9a-fA-F]{32}$/, 'the 32 hexadecimal characters of the app secret')
    .secret()
    .describe("The Meta app's App Secret: the key of `X-Hub-Signature-256` on every webhook POST. The connector starts when it is set, with META_VERIFY_TOKEN.")
    .example('0123456789abcdef0123456789abcdef'),
  META_VERIFY_TOKEN: field
    .token(8)
    .secret()
    .describe('The Verify Token typed into the webhook settings of the app dashboard; Meta sends it back when it subscribes `GET /webhooks/meta`.')
    .example('wallet-meta-verify-2026'),
  META_PAGE_ACCESS_TOKEN: field
    .token(20)
    .secret()
    .describe('Page access token (`pages_messaging`, `instagram_manage_messages`) of the Facebook Page and its linked Instagram account: replies on Messenger and Instagram. Unset: those replies fail.')
    .example('EAAGm0PX4ZCpsBAPageTokenExample0123'),
  WHATSAPP_ACCESS_TOKEN: field
    .token(20)
    .secret()
    .describe('Access token (a system user of the WhatsApp Business Account) for replies on WhatsApp, with WHATSAPP_PHONE_NUMBER_ID.')
    .example('EAAGm0PX4ZCpsBAWhatsAppTokenExample4567'),
  WHATSAPP_PHONE_NUMBER_ID: field
    .pattern(/^\d{5,20}$/, 'the numeric id of the business phone number (not the number itself)')
    .describe("The business phone number's id (`metadata.phone_number_id` of its webhooks): replies go out from it.")
    .example('106540352242922'),
  WHATSAPP_TEMPLATE_NAME: field
    .pattern(/^[a-z0-9_]{1,512}$/, 'a template name: lower-case letters, digits and _')
    .describe('The approved message template that carries an agent\'s reply once the 24-hour customer-service window has closed. Unset: such replies fail with the reason.')
    .example('support_reply'),
  WHATSAPP_TEMPLATE_LANGUAGE: field.text('en_US').describe('Language code of that template, as approved (`en_US`, `zh_CN`, …).'),
  WHATSAPP_TEMPLATE_PARAMETERS: field
    .list(['text'])
    .describe("What fills the template's body variables {{1}}, {{2}}, … in order: `text` (the agent's reply, on one line), `ticket` (the ticket number), `name` (the customer's profile name)."),
  META_MEDIA_MAX_BYTES: field
    .int(25 * 1024 * 1024, 1)
    .describe('Largest file a customer sends that is fetched and kept (images, voice notes, documents); a larger one keeps its name and type only. WhatsApp allows up to 100 MB for documents.')
    .advanced(),
  META_GRAPH_BASE: field.url('https://graph.facebook.com/v25.0').describe('Base URL of the Graph API, with its version (a local server in tests).').advanced(),
});

export interface WhatsAppTemplate {
  name: string;
  language: string;
  parameters: readonly TemplateParameter[];
}

export interface MetaConfig {
  appSecret: string;
  verifyToken: string;
  graphBase: string;
  /** Larger files the customer sends are not fetched. */
  mediaMaxBytes?: number;
  /** Messenger and Instagram replies. */
  pageAccessToken?: string;
  whatsapp?: { accessToken: string; phoneNumberId: string; template?: WhatsAppTemplate };
}

export class MetaConfigError extends PermanentError {
  override readonly name = 'MetaConfigError';
}

/** The connector's config, or undefined when the channel is not configured (no META_APP_SECRET). */
export function metaConfigFromEnv(env: NodeJS.ProcessEnv): MetaConfig | undefined {
  if (!metaConfig.anySet(env, ['META_APP_SECRET'])) return undefined;
  const cfg = metaConfig.load(env);
  if (!cfg.META_VERIFY_TOKEN) throw new MetaConfigError('META_APP_SECRET is set but META_VERIFY_TOKEN is not: Meta cannot subscribe the webhook without it');
  if (Boolean(cfg.WHATSAPP_ACCESS_TOKEN) !== Boolean(cfg.WHATSAPP_PHONE_NUMBER_ID)) {
    throw new MetaConfigError('WhatsApp replies need both WHATSAPP_ACCESS_TOKEN and WHATSAPP_PHONE_NUMBER_ID');
  }
  const unknown = cfg.WHATSAPP_TEMPLATE_PARAMETERS.filter((p) => !(TEMPLATE_PARAMETERS as readonly string[]).includes(p));
  if (unknown.length > 0) throw new MetaConfigError(`WHATSAPP_TEMPLATE_PARAMETERS: ${unknown.join(', ')} is not one of ${TEMPLATE_PARAMETERS.join(', ')}`);
  const template = cfg.WHATSAPP_TEMPLATE_NAME
    ? { name: cfg.WHATSAPP_TEMPLATE_NAME, language: cfg.WHATSAPP_TEMPLATE_LANGUAGE, parameters: cfg.WHATSAPP_TEMPLATE_PARAMETERS as TemplateParameter[] }
    : undefined;
  return {
    appSecret: cfg.META_APP_SECRET!,
    verifyToken: cfg.META_VERIFY_TOKEN,
    graphBase: cfg.META_GRAPH_BASE.replace(/\/+$/, ''),
    mediaMaxBytes: cfg.META_MEDIA_MAX_BYTES,
    ...(cfg.META_PAGE_ACCESS_TOKEN ? { pageAccessToken: cfg.META_PAGE_ACCESS_TOKEN } : {}),
    ...(cfg.WHATSAPP_ACCESS_TOKEN && cfg.WHATSAPP_PHONE_NUMBER_ID
      ? { whatsapp: { accessToken: cfg.WHATSAPP_ACCESS_TOKEN, phoneNumberId: cfg.WHATSAPP_PHONE_NUMBER_ID, ...(template ? { template } : {}) } }
      : {}),
  };
}
