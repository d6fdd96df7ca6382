import type { ConnectorManifest } from '@switchboard/connector-sdk';
import { chatConfig } from './config.ts';

export const manifest: ConnectorManifest = {
  name: 'chat',
  config: chatConfig,
  channels: [
    {
      id: 'slack',
      label: { en: 'Slack', zh: 'Slack' },
      // A hash.
      icon: { color: '#7c3aed', path: 'M9 4l-2 16 M17 4l-2 16 M4 9h16 M4 15h16' },
      threading: 'One conversation per Slack channel and thread (`thread_ts`, or the message itself when it starts one); replies go in the thread.',
    },
    {
      id: 'webchat',
      label: { en: 'Web chat', zh: '网页聊天' },
      // One speech bubble with dots.
      icon: { color: '#ea580c', path: 'M4 5h16v11H10l-4 4v-4H4z M8 10.5h.01 M12 10.5h.01 M16 10.5h.01' },
      threading: 'One conversation per browser session (kept in the page across reloads); replies appear in the open chat, or on its next visit.',
    },
  ],
};
