import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { WeComKfApi } from '../src/kf/api.ts';
import { WechatApiError } from '../src/shared/api.ts';
import { FakeWeComKf } from './fake-wecom-kf.ts';
import { CORP_ID, CUSTOMER, KF_SECRET, OPEN_KFID } from './wecom-peer.ts';

describe('WeCom customer-service API', () => {
  const peer = new FakeWeComKf();
  let api: WeComKfApi;
  beforeAll(() => peer.start());
  afterAll(() => peer.stop());
  beforeEach(() => {
    peer.tokenRequests.length = 0;
    api = new WeComKfApi({ apiBase: peer.base, corpId: CORP_ID, secret: KF_SECRET });
  });

  it('takes one access token for its secret for several calls, and a new one when WeCom says it expired (42001)', async () => {
    peer.customerWrites(OPEN_KFID, CUSTOMER, { msgtype: 'text', text: { content: 'hi' } });
    await Promise.all([api.syncMsg({ openKfId: OPEN_KFID, limit: 1000 }), api.serviceState(OPEN_KFID, CUSTOMER)]);
    await api.accounts();
    expect(peer.tokenRequests).toHaveLength(1);
    expect(Object.fromEntries(peer.tokenRequests[0]!)).toEqual({ corpid: CORP_ID, corpsecret: KF_SECRET });
    peer.expireAccessTokens();
    expect((await api.serviceState(OPEN_KFID, CUSTOMER)).state).toBe(0);
    expect(peer.tokenRequests).toHaveLength(2);
  });

  it('says clearly when the secret or the CorpID is wrong, without echoing the secret', async () => {
    const wrong = new WeComKfApi({ apiBase: peer.base, corpId: CORP_ID, secret: 'not-the-kf-secret-at-all' });
    const error = await wrong.accounts().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(WechatApiError);
    expect((error as WechatApiError).errcode).toBe(40001);
    expect((error as Error).message).not.toContain('not-the-kf-secret-at-all');
    await expect(new WeComKfApi({ apiBase: peer.base, corpId: 'wwNotOurs', secret: KF_SECRET }).accounts()).rejects.toThrow(/errcode 40013/);
  });

  it('fetches media bytes with their type and file name, and reports a media_id WeCom no longer has', async () => {
    peer.addMedia('MEDIA_RECEIPT', Buffer.from('%PDF-1.7 receipt'), 'application/pdf', '电子回单.pdf');
    const media = await api.getMedia('MEDIA_RECEIPT');
    expect(media).toEqual({ bytes: Buffer.from('%PDF-1.7 receipt'), contentType: 'application/pdf', filename: '电子回单.pdf' });
    await expect(api.getMedia('MEDIA_EXPIRED')).rejects.toMatchObject({ errcode: 40007 });
  });

  it('pages sync_msg with the cursor it is given', async () => {
    const kf = `wk-paging-${Date.now()}`;
    for (let i = 0; i < 3; i++) peer.customerWrites(kf, CUSTOMER, { msgtype: 'text', text: { content: `m${i}` } });
    peer.pageSize = 2;
    try {
      const first = await api.syncMsg({ openKfId: kf, limit: 1000 });
      expect(first).toMatchObject({ hasMore: true, messages: [{ text: { content: 'm0' } }, { text: { content: 'm1' } }] });
      const second = await api.syncMsg({ openKfId: kf, limit: 1000, cursor: first.nextCursor });
      expect(second).toMatchObject({ hasMore: false, messages: [{ text: { content: 'm2' } }] });
    } finally {
      peer.pageSize = 1000;
    }
  });
});
