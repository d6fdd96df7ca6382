import { receiveOnly, type ConnectorManifest } from '@switchboard/connector-sdk';
import { phoneConfig } from './config.ts';

/**
 * The hotline as the rest of Switchboard sees it: its label and icon, the channel table's threading
 * sentence, and a reply policy that refuses every reply and acknowledgement, since voice stays with the
 * telephony provider: agents record a call-back task on the ticket instead.
 */
export const manifest: ConnectorManifest = {
  name: 'phone',
  config: phoneConfig,
  channels: [
    {
      id: 'phone',
      label: { en: 'Phone', zh: '电话' },
      // A telephone handset.
      icon: { color: '#15803d', path: 'M7 4h2.5l1.3 3.6-1.8 1.3a10.5 10.5 0 0 0 6.1 6.1l1.3-1.8L20 14.5V17a2 2 0 0 1-2.1 2A15 15 0 0 1 5 6.1 2 2 0 0 1 7 4z' },
      threading:
        "One conversation per caller's number (E.164; a withheld number gets one per call). Missed, abandoned and rejected calls and every voicemail open a ticket; answered calls are notes on the conversation. Nothing is sent back: a call back is a task on the ticket.",
      replyPolicy: receiveOnly('the hotline sends no messages; record a call-back task on the ticket instead'),
    },
  ],
};
