/**
 * The CTI push API over HTTP, as a PBX uses it (Zammad's generic CTI shapes: JSON, form-urlencoded with
 * `user[]`, multipart form data), with the connector on the real broker: every order of a call's events
 * gives one message with the same content.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { messageId } from '@switchboard/schema';
import { eventually } from '@switchboard/testkit';
import { connectorConformance } from '@switchboard/connector-sdk/conformance';
import { HttpServer } from '@switchboard/http';
import { PhoneConnector, type PhoneConfig } from '../src/index.ts';
import { Harness } from './harness.ts';

const TOKEN = 'cti-test-token-0123456789abcdef';
const CONFIG: PhoneConfig = { account: 'hotline', region: 'CN', settleMs: 400, silenceMs: 3_600_000, ctiToken: TOKEN };
const harness = new Harness(CONFIG);

beforeAll(() => harness.setup(), 60_000);
afterAll(() => harness.teardown());

function* permutations<T>(items: readonly T[]): Generator<T[]> {
  if (items.length <= 1) return yield [...items];
  for (let i = 0; i < items.length; i++) for (const tail of permutations([...items.slice(0, i), ...items.slice(i + 1)])) yield [items[i]!, ...tail];
}

const json = (body: Record<string, unknown>) => harness.postCti(JSON.stringify(body), TOKEN, 'application/json');
let serial = 0;
const callMessageId = (callId: string) => messageId('phone', 'hotline', `cti:${callId}`);

describe('the CTI push API', () => {
  it('answers 401 to a wrong or missing token', async () => {
    const event = JSON.stringify({ event: 'newCall', from: '13800138000', to: '01065529988', direction: 'in', callId: 'x-1' });
    expect((await harness.postCti(event, 'cti-test-token-0123456789abcdeX', 'application/json')).status).toBe(401);
    expect((await harness.postCti(event, TOKEN.slice(0, -1), 'application/json')).status).toBe(401);
    const none = await fetch(`${harness.url}/webhooks/cti/`, { method: 'POST', body: event });
    expect(none.status).toBe(404);
    expect(await (await harness.postCti(event, 'x'.repeat(40), 'application/json')).text()).not.toContain(TOKEN);
  });

  it('reads JSON, form-urlencoded (user[]) and multipart bodies, and answers {} as Zammad does', async () => {
    const call = `pbx-forms-${++serial}`;
    const newCall = await json({ event: 'newCall', from: '493055571600', to: '861065529988', direction: 'in', callId: call, user: ['Support Team'] });
    expect(newCall.status).toBe(200);
    expect(await newCall.json()).toEqual({});
    const answer = new URLSearchParams({ event: 'answer', from: '493055571600', to: '861065529988', direction: 'in', callId: call });
    answer.append('user[]', 'Emma Taylor');
    answer.append('user[]', 'Chris Miller');
    expect((await harness.postCti(answer.toString(), TOKEN, 'application/x-www-form-urlencoded')).status).toBe(200);
    const hangup = new FormData();
    for (const [name, value] of Object.entries({ event: 'hangup', from: '493055571600', to: '861065529988', direction: 'in', callId: call, cause: 'normalClearing' })) hangup.append(name, value);
    expect((await harness.postCti(hangup)).status).toBe(200);
    const [message] = await harness.callMessages(call, (ms) => ms.length >= 1);
    expect(message).toMatchObject({ conversationKey: '+493055571600', sender: { phone: '+493055571600' }, autoSubmitted: 'call-note', call: { outcome: 'answered', agent: 'Emma Taylor, Chris Miller', line: '+861065529988' } });
  });

  it('keeps an event it cannot read in the dead-letter topic and answers 400 with the reason', async () => {
    const body = JSON.stringify({ event: 'newCall', from: '13800138000', to: '01065529988', direction: 'sideways', callId: 'pbx-bad-1' });
    const response = await harness.postCti(body, TOKEN, 'application/json');
    expect(response.status).toBe(400);
    expect(((await response.json()) as { error: string }).error).toMatch(/direction: either "in" or "out"/);
    const broken = await harness.postCti('{"event": "newCall", ', TOKEN, 'application/json');
    expect(broken.status).toBe(400);
    await eventually(async () => (await harness.deadLetters()).filter((d) => d.id.startsWith('phone/cti/')).length >= 2, 20_000, 'two dead letters');
    const letters = (await harness.deadLetters()).filter((d) => d.id.startsWith('phone/cti/'));
    expect(letters.map((d) => Buffer.from(d.originalValue, 'base64').toString())).toEqual(expect.arrayContaining([body, '{"event": "newCall", ']));
  });

  const sequences = [
    {
      name: 'an answered inbound call',
      events: (callId: string) => [
        { event: 'newCall', from: '13800138000', to: '01065529988', direction: 'in', callId, user: ['Support'] },
        { event: 'answer', from: '13800138000', to: '01065529988', direction: 'in', callId, user: 'Emma Taylor', answeringNumber: '801' },
        { event: 'hangup', from: '13800138000', to: '01065529988', direction: 'in', callId, cause: 'normalClearing', answeringNumber: '801' },
      ],
      expected: { autoSubmitted: 'call-note', call: { outcome: 'answered', agent: '801', direction: 'inbound' } },
    },
    {
      name: 'an abandoned inbound call',
      events: (callId: string) => [
        { event: 'newCall', from: '13800138000', to: '01065529988', direction: 'in', callId },
        { event: 'hangup', from: '13800138000', to: '01065529988', direction: 'in', callId, cause: 'cancel' },
      ],
      expected: { subject: 'Abandoned call from +86 138 0013 8000', call: { outcome: 'abandoned', direction: 'inbound' } },
    },
  ];

  for (const sequence of sequences) {
    it(`produces ${sequence.name} once, with the same content, in every order of its events and with each sent twice`, async () => {
      const runs: { callId: string; order: number[] }[] = [];
      const indexes = [...sequence.events('x').keys()];
      for (const order of permutations(indexes)) {
        const callId = `pbx-${sequence.name.replace(/\W+/g, '-')}-${++serial}`;
        const events = sequence.events(callId);
        // The whole order, then the whole order again (a PBX retrying): all inside the settle time.
        for (const i of [...order, ...order]) expect((await json(events[i]!)).status).toBe(200);
        runs.push({ callId, order });
      }
      const contents = [];
      for (const { callId } of runs) {
        const messages = await harness.callMessages(callId, (ms) => ms.length >= 1);
        expect(messages, callId).toHaveLength(1);
        const [message] = messages;
        expect(message).toMatchObject(sequence.expected);
        if (sequence.expected.autoSubmitted === undefined) expect(message!.autoSubmitted).toBeUndefined();
        // The text may name the length of the call: that is measured from when events arrived, which the order changes.
        contents.push({ id: message!.id === callMessageId(callId), subject: message!.subject, outcome: message!.call?.outcome, agent: message!.call?.agent, auto: message!.autoSubmitted, sender: message!.sender });
      }
      expect(new Set(contents.map((c) => JSON.stringify(c))).size).toBe(1);
      // Nothing more arrives for any of them later.
      await new Promise((r) => setTimeout(r, 1_000));
      const all = await harness.inbound();
      for (const { callId } of runs) expect(all.filter((m) => m.meta.callId === callId)).toHaveLength(1);
    }, 60_000);
  }
});

// The conformance kit: a call whose answering agent's name carries the marker, delivered again as the PBX's retry.
const conformanceHttp = new HttpServer();
let conformanceUrl = '';
const conformanceToken = 'cti-conformance-token-9f8e7d6c';
const post = (body: Record<string, unknown>) =>
  fetch(`${conformanceUrl}/webhooks/cti/${conformanceToken}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }).then((r) => {
    expect(r.status).toBe(200);
  });
const sequenceWith = async (marker: string) => {
  const call = { from: '13800138000', to: '01065529988', direction: 'in', callId: `conformance-${marker}` };
  await post({ ...call, event: 'newCall' });
  await post({ ...call, event: 'answer', user: marker });
  await post({ ...call, event: 'hangup', cause: 'normalClearing' });
};

connectorConformance<PhoneConnector>({
  name: 'phone',
  setup: async () => {
    conformanceUrl = await conformanceHttp.listen();
  },
  teardown: () => conformanceHttp.close(),
  create: () => {
    const connector = new PhoneConnector({ ...CONFIG, ctiToken: conformanceToken, settleMs: 200 }, { name: 'phone-conformance' });
    conformanceHttp.mount(connector.routes);
    return connector;
  },
  deliver: (_connector, marker) => sequenceWith(marker),
  redeliver: (_connector, marker) => sequenceWith(marker),
});
