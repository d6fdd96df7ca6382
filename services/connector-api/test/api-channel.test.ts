import { describe, expect, it } from 'vitest';
import { HttpServer } from '@switchboard/http';
import { ConfigError } from '@switchboard/runtime';
import { InboundMessage, messageId } from '@switchboard/schema';
import { connectorConformance } from '@switchboard/connector-sdk/conformance';
import { ApiChannel, ApiMessageBody, connectorModule, toInboundMessage } from '../src/index.ts';

const TOKEN = 'api-test-token-0123456789';
const server = new HttpServer();
let base = '';

const post = (marker: string) =>
  fetch(`${base}/api/v1/messages`, {
    method: 'POST',
    headers: { authorization: `Bearer ${TOKEN}`, 'content-type': 'application/json' },
    body: JSON.stringify({ externalId: `form-${marker}`, sender: { id: 'customer-9', name: 'Mei' }, text: `Where is my refund? ${marker}` }),
  });

connectorConformance({
  name: 'api',
  setup: async () => {
    base = await server.listen();
  },
  teardown: () => server.close(),
  create: () => {
    const channel = new ApiChannel({ token: TOKEN, maxBodyBytes: 4_096 });
    server.mount(channel.routes);
    return channel;
  },
  deliver: async (_channel, marker) => {
    expect((await post(marker)).status).toBe(202);
  },
  redeliver: async (_channel, marker) => {
    expect((await post(marker)).status).toBe(202);
  },
});

describe('toInboundMessage', () => {
  const received = new Date('2026-11-24T10:00:00.000Z');

  it('fills the defaults: account api, conversation of the sender, sent now', () => {
    const body = ApiMessageBody.parse({ externalId: 'form-1', sender: { id: 'u-7' }, text: 'Where is my refund?' });
    const message = InboundMessage.parse(toInboundMessage(body, received));
    expect(message).toMatchObject({
      id: messageId('api', 'api', 'form-1'),
      channel: 'api',
      account: 'api',
      conversationKey: 'api:u-7',
      sentAt: received.toISOString(),
      receivedAt: received.toISOString(),
      attachments: [],
    });
  });

  it('keeps what the client gave, and the id follows the account', () => {
    const body = ApiMessageBody.parse({
      externalId: 'form-2',
      sender: { id: 'u-8', name: 'Bo' },
      text: 'Hi',
      account: 'partner-shop',
      conversationKey: 'order-991',
      subject: 'Order 991',
      sentAt: '2026-11-24T11:00:00+02:00',
      attachments: [{ name: 'receipt.pdf', contentType: 'application/pdf', size: 1200 }],
    });
    const message = InboundMessage.parse(toInboundMessage(body, received));
    expect(message.id).toBe(messageId('api', 'partner-shop', 'form-2'));
    expect(message.id).not.toBe(messageId('api', 'api', 'form-2'));
    expect(message).toMatchObject({ conversationKey: 'order-991', subject: 'Order 991', sentAt: '2026-11-24T09:00:00.000Z' });
    expect(message.attachments).toHaveLength(1);
  });

  it('refuses unknown fields instead of dropping them', () => {
    const result = ApiMessageBody.safeParse({ externalId: 'x', sender: { id: 'u' }, text: 'hi', conversation_key: 'c' });
    expect(result.success).toBe(false);
  });
});

describe('the API channel module', () => {
  it('needs a token and builds one channel from it', async () => {
    expect(() => connectorModule.fromEnv({})).toThrow(ConfigError);
    const channels = await connectorModule.fromEnv({ SWITCHBOARD_API_TOKEN: TOKEN, API_MAX_BODY_BYTES: '2048' });
    expect(channels.map((c) => [c.name, c.channels])).toEqual([['api', ['api']]]);
  });
});
