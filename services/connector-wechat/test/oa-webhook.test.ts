import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HttpServer } from '@switchboard/http';
import type { InboundMessageInput } from '@switchboard/schema';
import type { OfficialAccountConfig } from '../src/config.ts';
import { OfficialAccountWebhook, type OfficialAccountSink, type SignedCallback } from '../src/oa/webhook.ts';
import { APP_ID, ENCODING_AES_KEY, TOKEN, fixture, plaintextCallback, post, safeModeCallback, textMessageXml, verificationUrl } from './wechat-peer.ts';

/** Records what the webhook hands on; the Kafka side is tested with the connector. */
class RecordingSink implements OfficialAccountSink {
  accepted: { message: InboundMessageInput; rawXml: string; signed: SignedCallback }[] = [];
  /** Set to make `accept` fail, as when neither Kafka nor the journal takes the message. */
  failing: Error | undefined;
  unusables: { rawXml: string; reason: string }[] = [];
  refusals: { status: number; reason: string }[] = [];
  async accept(message: InboundMessageInput, rawXml: string, signed: SignedCallback): Promise<void> {
    if (this.failing) throw this.failing;
    this.accepted.push({ message, rawXml, signed });
  }
  async unusable(rawXml: string, reason: string): Promise<void> {
    this.unusables.push({ rawXml, reason });
  }
  refused(status: number, reason: string): void {
    this.refusals.push({ status, reason });
  }
  ready(): boolean {
    return true;
  }
  clear(): void {
    this.accepted = [];
    this.unusables = [];
    this.refusals = [];
    this.failing = undefined;
  }
}

const baseConfig: OfficialAccountConfig = { token: TOKEN, appId: APP_ID, apiBase: 'http://127.0.0.1:9', maxSkewSeconds: 300, agentMenuKeys: [], journalAfterMs: 4_000 };

async function serve(config: OfficialAccountConfig, sink: OfficialAccountSink): Promise<{ server: HttpServer; base: string }> {
  const server = new HttpServer();
  server.mount(new OfficialAccountWebhook(config, sink).routes());
  return { server, base: await server.listen() };
}

describe('Official Account callback, plaintext mode', () => {
  const sink = new RecordingSink();
  let server: HttpServer;
  let base = '';
  beforeAll(async () => ({ server, base } = await serve(baseConfig, sink)));
  afterAll(() => server.close());

  it('echoes echostr to a correctly signed verification GET, 401 otherwise', async () => {
    const good = await fetch(verificationUrl(base, 'echo-4711'));
    expect(good.status).toBe(200);
    expect(await good.text()).toBe('echo-4711');
    const bad = await fetch(verificationUrl(base, 'echo-4711', 'wrong-token'));
    expect(bad.status).toBe(401);
    expect(await bad.text()).not.toContain('echo-4711');
    expect((await fetch(`${base}/webhooks/wechat?echostr=x`)).status).toBe(401);
  });

  it('answers "success" to a signed message and hands it on normalized', async () => {
    sink.clear();
    const response = await post(plaintextCallback(base, fixture('oa-text.xml')));
    expect(response.status).toBe(200);
    expect(await response.text()).toBe('success');
    expect(sink.accepted).toHaveLength(1);
    expect(sink.accepted[0]!.message).toMatchObject({ externalId: '24581302561048576', account: APP_ID, meta: { messageType: 'text' } });
    expect(sink.accepted[0]!.rawXml).toBe(fixture('oa-text.xml'));
  });

  it('401s a bad signature and hands nothing on', async () => {
    sink.clear();
    const response = await post(plaintextCallback(base, fixture('oa-text.xml'), { token: 'not-the-token' }));
    expect(response.status).toBe(401);
    expect(sink.accepted).toHaveLength(0);
    expect(sink.refusals).toEqual([{ status: 401, reason: 'bad signature' }]);
  });

  it('refuses a correctly signed callback whose timestamp is 10 minutes old (a replay)', async () => {
    sink.clear();
    const response = await post(plaintextCallback(base, fixture('oa-text.xml'), { timestamp: Math.floor(Date.now() / 1000) - 600 }));
    expect(response.status).toBe(401);
    expect(await response.text()).toContain('timestamp');
    expect(sink.accepted).toHaveLength(0);
  });

  it('refuses XXE and entity bombs with 400, hands nothing on and keeps the signed payload as unusable', async () => {
    sink.clear();
    for (const name of ['oa-xxe.xml', 'oa-entity-bomb.xml']) {
      const response = await post(plaintextCallback(base, fixture(name)));
      expect(response.status).toBe(400);
      expect(await response.text()).not.toContain('root:');
    }
    expect(sink.accepted).toHaveLength(0);
    expect(sink.unusables.map((r) => r.rawXml)).toEqual([fixture('oa-xxe.xml'), fixture('oa-entity-bomb.xml')]);
  });

  it('refuses a body over 64 KB with 413', async () => {
    sink.clear();
    const response = await post(plaintextCallback(base, textMessageXml('x'.repeat(70 * 1024), '99')));
    expect(response.status).toBe(413);
    expect(sink.accepted).toHaveLength(0);
  });
});

describe('Official Account callback, safe mode', () => {
  const sink = new RecordingSink();
  let server: HttpServer;
  let base = '';
  beforeAll(async () => ({ server, base } = await serve({ ...baseConfig, encodingAesKey: ENCODING_AES_KEY }, sink)));
  afterAll(() => server.close());

  it('decrypts a message signed with msg_signature and hands it on', async () => {
    sink.clear();
    const response = await post(safeModeCallback(base, fixture('oa-location.xml')));
    expect(response.status).toBe(200);
    expect(await response.text()).toBe('success');
    expect(sink.accepted.map((a) => a.message.meta)).toMatchObject([{ messageType: 'location', location: { lat: 31.230416, lng: 121.473701 } }]);
    expect(sink.accepted[0]!.rawXml).toBe(fixture('oa-location.xml'));
  });

  it('401s a bad msg_signature, ciphertext for another AppID, and plaintext callbacks', async () => {
    sink.clear();
    expect((await post(safeModeCallback(base, fixture('oa-text.xml'), { token: 'not-the-token' }))).status).toBe(401);
    expect((await post(safeModeCallback(base, fixture('oa-text.xml'), { appId: 'wx0000000000000000' }))).status).toBe(401);
    expect((await post(plaintextCallback(base, fixture('oa-text.xml')))).status).toBe(401);
    const tampered = safeModeCallback(base, fixture('oa-text.xml'));
    tampered.body = tampered.body.replace(/<Encrypt><!\[CDATA\[(.)/, (_, c: string) => `<Encrypt><![CDATA[${c === 'A' ? 'B' : 'A'}`);
    expect((await post(tampered)).status).toBe(401);
    expect(sink.accepted).toHaveLength(0);
  });

  it('answers 503 (WeChat retries) when the message could be neither produced nor journaled', async () => {
    sink.clear();
    sink.failing = new Error('disk full');
    const response = await post(safeModeCallback(base, fixture('oa-text.xml')));
    expect(response.status).toBe(503);
    expect(await response.text()).not.toBe('success');
  });

  it('verifies a journaled callback again when it is replayed, whatever its age, with the time it was received', async () => {
    sink.clear();
    await post(safeModeCallback(base, fixture('oa-location-report.xml')));
    const { signed, message } = sink.accepted[0]!;
    const webhook = new OfficialAccountWebhook({ ...baseConfig, encodingAesKey: ENCODING_AES_KEY }, sink, () => Date.now() + 3 * 86_400_000);
    const receivedAt = new Date(message.receivedAt);
    expect(webhook.reopen(signed, receivedAt)).toEqual(message);
    const tampered = { ...signed, query: signed.query.replace(/msg_signature=[0-9a-f]/, 'msg_signature=x') };
    expect(() => webhook.reopen(tampered, receivedAt)).toThrow(/bad signature/);
  });

  it('refuses an old timestamp and an encrypted XXE', async () => {
    sink.clear();
    expect((await post(safeModeCallback(base, fixture('oa-text.xml'), { timestamp: Math.floor(Date.now() / 1000) - 3600 }))).status).toBe(401);
    expect((await post(safeModeCallback(base, fixture('oa-xxe.xml')))).status).toBe(400);
    expect(sink.accepted).toHaveLength(0);
    expect(sink.unusables.map((r) => r.rawXml)).toEqual([fixture('oa-xxe.xml')]);
  });
});
