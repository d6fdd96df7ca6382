import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { OfficialAccountApi, WechatApiError } from '../src/oa/api.ts';
import { APP_ID, APP_SECRET, FakeWechatApi } from './wechat-peer.ts';

describe('Official Account API: customer-service messages', () => {
  const peer = new FakeWechatApi();
  let clock = Date.now();
  let api: OfficialAccountApi;
  beforeAll(() => peer.start());
  afterAll(() => peer.stop());
  beforeEach(() => {
    peer.tokenRequests.length = 0;
    peer.customMessages.length = 0;
    clock = Date.now();
    api = new OfficialAccountApi({ apiBase: peer.base, appId: APP_ID, appSecret: APP_SECRET, now: () => clock });
  });

  it('sends the text message JSON with one access token for two sends', async () => {
    await Promise.all([api.sendText('openid-1', '您好，退款已处理'), api.sendText('openid-2', 'second')]);
    await api.sendText('openid-1', 'third');
    expect(peer.tokenRequests).toHaveLength(1);
    expect(peer.tokenRequests[0]!.get('grant_type')).toBe('client_credential');
    expect(peer.customMessages.map((m) => m.body)).toEqual([
      { touser: 'openid-1', msgtype: 'text', text: { content: '您好，退款已处理' } },
      { touser: 'openid-2', msgtype: 'text', text: { content: 'second' } },
      { touser: 'openid-1', msgtype: 'text', text: { content: 'third' } },
    ]);
    expect(new Set(peer.customMessages.map((m) => m.accessToken)).size).toBe(1);
  });

  it('fetches a new token and sends again when WeChat answers 40001', async () => {
    await api.sendText('openid-1', 'first');
    peer.failNextSends.push(40001);
    await api.sendText('openid-1', 'after refresh');
    expect(peer.tokenRequests).toHaveLength(2);
    expect(peer.customMessages.map((m) => m.body.text.content)).toEqual(['first', 'after refresh']);
    expect(peer.customMessages[1]!.accessToken).not.toBe(peer.customMessages[0]!.accessToken);
  });

  it('fetches a new token before the old one expires', async () => {
    await api.sendText('openid-1', 'first');
    clock += (7200 - 60) * 1000; // inside the safety margin before WeChat's 7200 s
    await api.sendText('openid-1', 'later');
    expect(peer.tokenRequests).toHaveLength(2);
  });

  it('throws a clear error on any other errcode', async () => {
    peer.failNextSends.push(45015);
    const error = await api.sendText('openid-1', 'too late').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(WechatApiError);
    expect((error as WechatApiError).errcode).toBe(45015);
    expect((error as Error).message).toContain('errcode 45015');
    const wrongSecret = new OfficialAccountApi({ apiBase: peer.base, appId: APP_ID, appSecret: 'wrong-secret-value' });
    await expect(wrongSecret.sendText('openid-1', 'x')).rejects.toThrow(/token failed: errcode 40125/);
  });
});
