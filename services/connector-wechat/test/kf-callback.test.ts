import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { HttpServer } from '@switchboard/http';
import { WeComCallback, type WeComCallbackSink } from '../src/kf/callback.ts';
import { post } from './wechat-peer.ts';
import { CORP_ID, OPEN_KFID, WECOM_AES_KEY, WECOM_TOKEN, kfNotificationXml, weComCallback, weComVerificationUrl } from './wecom-peer.ts';

class RecordingSink implements WeComCallbackSink {
  notifications: { openKfId: string; token: string }[] = [];
  ignoredEvents: Record<string, string>[] = [];
  refusals: { status: number; reason: string }[] = [];
  started = true;
  notified(openKfId: string, token: string): void {
    this.notifications.push({ openKfId, token });
  }
  ignored(fields: Record<string, string>): void {
    this.ignoredEvents.push(fields);
  }
  ready(): boolean {
    return this.started;
  }
  refused(status: number, reason: string): void {
    this.refusals.push({ status, reason });
  }
}

describe('WeCom callback at /webhooks/wecom', () => {
  const sink = new RecordingSink();
  const server = new HttpServer();
  let base = '';
  beforeAll(async () => {
    server.mount(new WeComCallback({ corpId: CORP_ID, token: WECOM_TOKEN, encodingAesKey: WECOM_AES_KEY, maxSkewSeconds: 300 }, sink).routes());
    base = await server.listen();
  });
  afterAll(() => server.close());

  it('answers the URL verification with the decrypted echostr, plain (no quotes, BOM or newline)', async () => {
    const response = await fetch(weComVerificationUrl(base, '5927782489442352469'));
    expect(response.status).toBe(200);
    expect(await response.text()).toBe('5927782489442352469');
  });

  it('refuses a verification signed with another token or encrypted for another CorpID', async () => {
    expect((await fetch(weComVerificationUrl(base, '1', { token: 'wrong-token' }))).status).toBe(401);
    const foreign = await fetch(weComVerificationUrl(base, '1', { corpId: 'wwOtherCorp0000000' }));
    expect(foreign.status).toBe(401);
    expect(await foreign.text()).not.toContain('1');
    expect((await fetch(`${base}/webhooks/wecom?echostr=abc`)).status).toBe(401);
  });

  it('hands on the kf account and token of a kf_msg_or_event notification and answers 200 with an empty body', async () => {
    sink.notifications = [];
    const response = await post(weComCallback(base, kfNotificationXml(OPEN_KFID, 'ENCApHxnGDNAVNY4AaSJKj4Tb5mwsEMzxhFmHVGcra996NR')));
    expect(response.status).toBe(200);
    expect(await response.text()).toBe('');
    expect(sink.notifications).toEqual([{ openKfId: OPEN_KFID, token: 'ENCApHxnGDNAVNY4AaSJKj4Tb5mwsEMzxhFmHVGcra996NR' }]);
  });

  it('verifies the signature of every POST, checks the CorpID inside and the age', async () => {
    sink.notifications = [];
    sink.refusals = [];
    const xml = kfNotificationXml(OPEN_KFID, 'ENCtoken');
    expect((await post(weComCallback(base, xml, { token: 'not-the-token' }))).status).toBe(401);
    expect((await post(weComCallback(base, xml, { corpId: 'wwOtherCorp0000000' }))).status).toBe(401);
    expect((await post(weComCallback(base, xml, { timestamp: Math.floor(Date.now() / 1000) - 3_600 }))).status).toBe(401);
    const tampered = weComCallback(base, xml);
    tampered.body = tampered.body.replace(/<Encrypt><!\[CDATA\[(.)/, (_, c: string) => `<Encrypt><![CDATA[${c === 'A' ? 'B' : 'A'}`);
    expect((await post(tampered)).status).toBe(401);
    expect((await post({ url: weComCallback(base, xml).url, body: '<xml><ToUserName>x</ToUserName></xml>' })).status).toBe(400);
    expect(sink.notifications).toEqual([]);
    expect(sink.refusals.map((r) => r.reason)).toEqual(['bad signature', 'ciphertext is for another CorpID', 'timestamp outside the accepted window (replay?)', 'bad signature', 'encrypted callback without <Encrypt>']);
  });

  it('refuses a notification addressed to another CorpID inside a correctly encrypted body', async () => {
    const response = await post(weComCallback(base, kfNotificationXml(OPEN_KFID, 'ENCtoken', 'wwOtherCorp0000000')));
    expect(response.status).toBe(401);
  });

  it('answers 200 to a verified callback of another kind, handing nothing on as a kf notification', async () => {
    sink.notifications = [];
    sink.ignoredEvents = [];
    const xml = `<xml><ToUserName><![CDATA[${CORP_ID}]]></ToUserName><CreateTime>1765098000</CreateTime><MsgType><![CDATA[event]]></MsgType><Event><![CDATA[change_contact]]></Event></xml>`;
    expect((await post(weComCallback(base, xml))).status).toBe(200);
    expect(sink.notifications).toEqual([]);
    expect(sink.ignoredEvents).toEqual([expect.objectContaining({ Event: 'change_contact' })]);
  });

  it('answers 503 before the connector runs, so WeCom retries', async () => {
    sink.started = false;
    try {
      expect((await post(weComCallback(base, kfNotificationXml(OPEN_KFID, 'ENCtoken')))).status).toBe(503);
    } finally {
      sink.started = true;
    }
  });
});
