import type { ConnectorManifest } from '@switchboard/connector-sdk';
import { phoneConfig } from './config.ts';

/**
 * What the rest of Switchboard knows of this channel: the console's label and icon, the README's channel
 * table and the reply API's window check come from here. Change the label, the icon and the threading
 * sentence to the channel's own; add a `replyPolicy` when the channel limits when replies may go out.
 */
export const manifest: ConnectorManifest = {
  name: 'phone',
  config: phoneConfig,
  channels: [
    {
      id: 'phone',
      label: { en: 'Phone', zh: 'Phone' },
      // A speech bubble.
      icon: { color: '#0f766e', path: 'M4 5h16v11H10l-4 4v-4H4z' },
      threading: 'One conversation per `thread` of the payload, or per sender when it has none.',
    },
  ],
};
