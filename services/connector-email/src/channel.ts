import type { ConnectorManifest } from '@switchboard/connector-sdk';
import { emailConfigSpec } from './config.ts';

export const manifest: ConnectorManifest = {
  name: 'email',
  config: emailConfigSpec,
  channels: [
    {
      id: 'email',
      label: { en: 'Email', zh: '邮件' },
      // Envelope.
      icon: { color: '#2563eb', path: 'M4 7h16v10H4z M4 7l8 6 8-6' },
      threading:
        'One conversation per References/In-Reply-To root; a `[#SB-…]` subject token joins the ticket it names when a client dropped the headers; replies continue the chain with `Re:` and the token.',
      acknowledgeByDefault: true,
    },
  ],
};
