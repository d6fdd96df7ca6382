import { connectorConformance } from '@switchboard/connector-sdk/conformance';
import { HttpServer } from '@switchboard/http';
import { createWechatConnector, oaConversationKey, type WechatConnector } from '../src/index.ts';
import { APP_ID, APP_SECRET, ENCODING_AES_KEY, FakeWechatApi, TOKEN, post, safeModeCallback, textMessageXml, type SignedCallback } from './wechat-peer.ts';

const OPENID = 'oConformance0000000000000001';
const api = new FakeWechatApi();
const server = new HttpServer();
let base = '';
let delivered: SignedCallback | undefined;

connectorConformance<WechatConnector>({
  name: 'wechat (Official Account, safe mode)',
  async setup() {
    await api.start();
  },
  async teardown() {
    await server.close();
    await api.stop();
  },
  async create() {
    const connector = createWechatConnector({
      officialAccount: { token: TOKEN, appId: APP_ID, appSecret: APP_SECRET, encodingAesKey: ENCODING_AES_KEY, apiBase: api.base, maxSkewSeconds: 300, agentMenuKeys: [], journalAfterMs: 4_000 },
    });
    server.mount(connector.routes);
    base = await server.listen();
    return connector;
  },
  async deliver(_connector, marker) {
    delivered = safeModeCallback(base, textMessageXml(`我的转账 ${marker} 还没到账`, `9${Date.now()}`, OPENID));
    const response = await post(delivered);
    if ((await response.text()) !== 'success') throw new Error(`callback answered ${response.status}`);
  },
  async redeliver() {
    // WeChat's retry: the very same request again.
    const response = await post(delivered!);
    if ((await response.text()) !== 'success') throw new Error(`retry answered ${response.status}`);
  },
  outbound: {
    message: (base) => ({
      ...base,
      channel: 'wechat',
      account: APP_ID,
      conversationKey: oaConversationKey(APP_ID, OPENID),
      recipient: { id: OPENID },
      text: 'replaced by the kit',
    }),
    received: async (text) => api.customMessages.some((m) => m.body.touser === OPENID && m.body.text.content === text),
  },
});
