import type { ConnectorManifest } from '@switchboard/connector-sdk';
import { apiConfig } from './config.ts';

export const manifest: ConnectorManifest = {
  name: 'api',
  config: apiConfig,
  channels: [
    {
      id: 'api',
      label: { en: 'API', zh: 'API' },
      // Braces.
      icon: { color: '#475569', path: 'M9 4c-3 0-2 4-2 6s-2 2-2 2 2 0 2 2-1 6 2 6 M15 4c3 0 2 4 2 6s2 2 2 2-2 0-2 2 1 6-2 6' },
      threading: 'The `conversationKey` the client posts, or one conversation per sender; replies are read from `GET /api/v1/tickets/:id`.',
    },
  ],
};
