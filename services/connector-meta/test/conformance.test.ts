/** The conformance kit on the real broker, for a Messenger and a WhatsApp customer, with the fake Graph API as Meta. */
import { expect } from 'vitest';
import { HttpServer } from '@switchboard/http';
import { connectorConformance } from '@switchboard/connector-sdk/conformance';
import { conversationKeyOf, MetaConnector, WEBHOOK_PATH } from '../src/index.ts';
import type { FakeGraph } from './fake-graph.ts';
import { APP_SECRET, metaConfig, NUMBER, PAGE, PSID, startFakeGraph, WA_ID } from './harness.ts';
import { messagingText, signedPost, whatsappText } from './payloads.ts';

function subject(channel: 'messenger' | 'whatsapp') {
  const server = new HttpServer();
  let fake: FakeGraph;
  let url = '';
  const account = channel === 'messenger' ? PAGE.pageId : NUMBER.phoneNumberId;
  const customer = channel === 'messenger' ? PSID : WA_ID;
  // The same body both times: Meta's retry of a delivery carries the same ids.
  const bodies = new Map<string, string>();
  const body = (marker: string) => {
    if (!bodies.has(marker)) {
      const now = Date.now();
      const payload = channel === 'messenger' ? messagingText('page', account, customer, `m_${marker}`, `hello ${marker}`, now) : whatsappText(account, customer, 'Sheena Nelson', `wamid.${marker}`, `hello ${marker}`, Math.floor(now / 1000));
      bodies.set(marker, JSON.stringify(payload));
      fake.customerWrote(account, customer, now);
    }
    return bodies.get(marker)!;
  };
  const deliver = async (_connector: MetaConnector, marker: string) => {
    expect((await signedPost(url, APP_SECRET, body(marker))).status).toBe(200);
  };
  connectorConformance({
    name: `meta (${channel})`,
    setup: async () => {
      fake = await startFakeGraph();
      url = `${await server.listen()}${WEBHOOK_PATH}`;
    },
    teardown: async () => {
      await server.close();
      await fake.close();
    },
    create: () => {
      const connector = new MetaConnector(metaConfig(fake.base));
      server.mount(connector.routes);
      return connector;
    },
    deliver,
    redeliver: deliver,
    outbound: {
      message: (base) => ({ ...base, channel, account, conversationKey: conversationKeyOf(channel, account, customer), recipient: { id: customer }, text: 'placeholder' }),
      received: async (text) => fake.sent.some((s) => s.body.message?.text === text || s.body.text?.body === text),
    },
  });
}

subject('messenger');
subject('whatsapp');
