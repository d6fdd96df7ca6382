import type { ConnectorManifest } from '@switchboard/connector-sdk';
import { twitterConfig } from './config.ts';
import { xReplyPolicy } from './reply-policy.ts';

export const manifest: ConnectorManifest = {
  name: 'twitter',
  config: twitterConfig,
  channels: [
    {
      id: 'twitter',
      label: { en: 'X (Twitter)', zh: 'X（推特）' },
      // A bird's wing and beak, simplified.
      icon: { color: '#0ea5e9', path: 'M5 16c6 2 12-1 13-8l2-2h-3c-2-2-5-1-5 2v1c-3 0-5-1-7-3-1 3 0 5 2 6l-2 0c1 2 2 3 4 3-1 1-3 1-4 1z' },
      threading: 'One conversation per DM pair (or group DM), and per public conversation (`conversation_id`) of mentions; agents answer by DM or, when they choose, with a public reply.',
      publicReplies: true,
      replyPolicy: xReplyPolicy,
    },
  ],
};
