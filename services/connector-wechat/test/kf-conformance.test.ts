import { connectorConformance } from '@switchboard/connector-sdk/conformance';
import { HttpServer } from '@switchboard/http';
import { createWechatConnector, kfConversationKey, type WechatConnector } from '../src/index.ts';
import { FakeWeComKf } from './fake-wecom-kf.ts';
import { post, type SignedCallback } from './wechat-peer.ts';
import { CORP_ID, KF_SECRET, WECOM_AES_KEY, WECOM_TOKEN, kfNotificationXml, weComCallback } from './wecom-peer.ts';

const peer = new FakeWeComKf();
const server = new HttpServer();
const OPEN_KFID = `wkConformance${Date.now().toString(36)}`;
const CUSTOMER = 'wmConformanceCustomer000001';
let base = '';
let notification: SignedCallback | undefined;

async function deliver(callback: SignedCallback, connector: WechatConnector): Promise<void> {
  const response = await post(callback);
  if (response.status !== 200) throw new Error(`callback answered ${response.status}`);
  await connector.weComIdle();
}

connectorConformance<WechatConnector>({
  name: 'wechat (WeCom customer service)',
  async setup() {
    await peer.start();
    peer.pageSize = 1;
  },
  async teardown() {
    await server.close();
    await peer.stop();
  },
  async create() {
    const connector = createWechatConnector({
      weComKf: { corpId: CORP_ID, secret: KF_SECRET, token: WECOM_TOKEN, encodingAesKey: WECOM_AES_KEY, apiBase: peer.base, openKfIds: [], syncIntervalSeconds: 3_600, maxMediaBytes: 1024, maxSkewSeconds: 300 },
    });
    server.mount(connector.routes);
    base = await server.listen();
    return connector;
  },
  async deliver(connector, marker) {
    peer.customerWrites(OPEN_KFID, CUSTOMER, { msgtype: 'text', text: { content: `零钱提现 ${marker} 失败了` } });
    const token = peer.customerWrites(OPEN_KFID, CUSTOMER, { msgtype: 'text', text: { content: 'and a second page' } });
    notification = weComCallback(base, kfNotificationXml(OPEN_KFID, token));
    await deliver(notification, connector);
  },
  async redeliver(connector) {
    // WeCom's retry of the same notification: the same request again.
    await deliver(notification!, connector);
  },
  outbound: {
    message: (base) => ({
      ...base,
      channel: 'wechat',
      account: CORP_ID,
      conversationKey: kfConversationKey(CORP_ID, OPEN_KFID, CUSTOMER),
      recipient: { id: CUSTOMER },
      text: 'replaced by the kit',
    }),
    received: async (text) => peer.sends.some((s) => s.touser === CUSTOMER && (s.text as { content: string }).content === text),
  },
});
