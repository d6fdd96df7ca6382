import type { ChannelDescriptor, ConnectorManifest } from '@switchboard/connector-sdk';
import { metaConfig } from './config.ts';
import { messagingReplies, REPLY_MODES, whatsappReplies } from './policy.ts';

/** Messenger and Instagram share the Messenger Platform's rules and its human-agent tag. */
function messagingChannel(descriptor: Pick<ChannelDescriptor, 'id' | 'label' | 'icon' | 'threading'>): ChannelDescriptor {
  return {
    ...descriptor,
    replyPolicy: messagingReplies,
    replyModes: {
      [REPLY_MODES.humanAgent]: {
        en: "More than 24 h since the customer wrote: your reply goes out with Meta's human-agent tag (allowed up to 7 days).",
        zh: '客户上次发消息已超过 24 小时：回复将带 Meta 人工客服标签发送（7 天内有效）。',
      },
    },
  };
}

const messenger = messagingChannel({
  id: 'messenger',
  label: { en: 'Messenger', zh: 'Messenger' },
  // A round speech bubble with Messenger's zigzag.
  icon: { color: '#0866ff', path: 'M12 4c-4.4 0-8 3.1-8 7.2 0 2.3 1.1 4.3 2.9 5.6V20l2.7-1.5c.8.2 1.6.3 2.4.3 4.4 0 8-3.1 8-7.3S16.4 4 12 4z M8 13l3-3 2 2 3-3' },
  threading: 'One conversation per person and Page (their page-scoped id); replies go to that Messenger chat.',
});

const instagram = messagingChannel({
  id: 'instagram',
  label: { en: 'Instagram', zh: 'Instagram' },
  // A camera: rounded square, lens, flash.
  icon: { color: '#d62976', path: 'M7.5 4.5h9a3 3 0 0 1 3 3v9a3 3 0 0 1-3 3h-9a3 3 0 0 1-3-3v-9a3 3 0 0 1 3-3z M12 8.8a3.2 3.2 0 1 0 0 6.4 3.2 3.2 0 1 0 0-6.4z M16.3 7.7h.01' },
  threading: 'One conversation per Instagram user and professional account (their Instagram-scoped id); replies go to that direct-message thread.',
});

const whatsapp: ChannelDescriptor = {
  id: 'whatsapp',
  label: { en: 'WhatsApp', zh: 'WhatsApp' },
  // A round speech bubble with a telephone handset.
  icon: { color: '#1da851', path: 'M12 4a8 8 0 0 0-6.9 12L4 20l4.1-1.1A8 8 0 1 0 12 4z M9.5 8.5c0 3 2.5 6 6 6l1-1.5-2-1-1 1c-1-.5-2-1.5-2.5-2.5l1-1-1-2z' },
  threading: 'One conversation per customer phone number and business number (`wa_id`); replies go to that chat, as the approved template after 24 h.',
  replyPolicy: whatsappReplies,
  replyModes: {
    [REPLY_MODES.template]: {
      en: 'The 24-hour customer-service window has closed: your reply goes out inside the approved WhatsApp template.',
      zh: '24 小时客服窗口已关闭：回复将通过已审核的 WhatsApp 模板发送。',
    },
  },
};

/** Messenger, Instagram direct messages and WhatsApp: one webhook design, one app secret, three channels. */
export const manifest: ConnectorManifest = {
  name: 'meta',
  config: metaConfig,
  channels: [messenger, instagram, whatsapp],
};
