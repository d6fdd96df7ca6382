import { createHmac } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HttpServer } from '@switchboard/http';
import { connectorConformance } from '@switchboard/connector-sdk/conformance';
import { PhoneConnector, normalizePhone } from '../src/index.ts';

const secret = 'test-secret-phone-0123456789';
const server = new HttpServer();
let base = '';

function post(body: string, signature = createHmac('sha256', secret).update(body).digest('hex')) {
  return fetch(`${base}/webhooks/phone`, { method: 'POST', body, headers: { 'x-signature': signature, 'content-type': 'application/json' } });
}

const payload = (marker: string) => JSON.stringify({ id: `m-${marker}`, from: { id: 'customer-1', name: 'Ann' }, text: `hello ${marker}` });

connectorConformance({
  name: 'phone',
  setup: async () => {
    base = await server.listen();
  },
  teardown: () => server.close(),
  create: () => {
    const connector = new PhoneConnector({ webhookSecret: secret, account: 'phone' });
    server.mount(connector.routes);
    return connector;
  },
  deliver: async (_connector, marker) => {
    expect((await post(payload(marker))).status).toBe(202);
  },
  redeliver: async (_connector, marker) => {
    expect((await post(payload(marker))).status).toBe(202);
  },
});

describe('phone webhook', () => {
  const own = new HttpServer();
  let ownBase = '';
  beforeAll(async () => {
    const connector = new PhoneConnector({ webhookSecret: secret, account: 'phone' });
    own.mount(connector.routes);
    ownBase = await own.listen();
  });
  afterAll(() => own.close());

  it('refuses a bad signature with 401', async () => {
    const res = await fetch(`${ownBase}/webhooks/phone`, { method: 'POST', body: payload('x'), headers: { 'x-signature': 'bad' } });
    expect(res.status).toBe(401);
  });

  it('normalizes a payload into an envelope with a deterministic id', () => {
    const a = normalizePhone({ id: 'm1', from: { id: 'c1' }, text: ' hi \n\n\nthere ' }, 'acct');
    expect(a.text).toBe('hi\n\nthere');
    expect(a.id).toBe(normalizePhone({ id: 'm1', from: { id: 'c1' }, text: 'other' }, 'acct').id);
    expect(a.conversationKey).toBe('phone:c1');
  });
});
