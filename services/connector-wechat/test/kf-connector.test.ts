import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hostConnector, loadChannelRegistry, type HostedConnector } from '@switchboard/connector-sdk';
import { HttpServer } from '@switchboard/http';
import { BatchingProducer, CheckpointStore } from '@switchboard/kafka';
import { REPO_ROOT } from '@switchboard/runtime';
import { DeliveryReport, InboundMessage, OutboundMessage } from '@switchboard/schema';
import { eventually, freshDatabase, kafkaForTest, readAll, routedMessage } from '@switchboard/testkit';
import { startTicketSink } from '@switchboard/ticket-sink';
import { openTicketStore } from '@switchboard/ticket-store';
import { createWechatConnector, kfConversationKey, KfReplyRefusedError, kfMsgIdOf, type WechatConnector, type WeComKfConfig } from '../src/index.ts';
import { FakeWeComKf } from './fake-wecom-kf.ts';
import { post } from './wechat-peer.ts';
import { CORP_ID, CUSTOMER, KF_SECRET, WECOM_AES_KEY, WECOM_TOKEN, kfNotificationXml, weComCallback } from './wecom-peer.ts';

const peer = new FakeWeComKf();
const run = Date.now().toString(36);
const kfConfig = (overrides: Partial<WeComKfConfig> = {}): WeComKfConfig => ({
  corpId: CORP_ID,
  secret: KF_SECRET,
  token: WECOM_TOKEN,
  encodingAesKey: WECOM_AES_KEY,
  apiBase: peer.base,
  openKfIds: [],
  syncIntervalSeconds: 3_600,
  maxMediaBytes: 1024 * 1024,
  maxSkewSeconds: 300,
  ...overrides,
});

describe('WeCom customer service on Kafka, against a local kf API', () => {
  let env: Awaited<ReturnType<typeof kafkaForTest>>;
  let producer: BatchingProducer;
  let checkpoints: CheckpointStore;
  let server: HttpServer | undefined;
  let base = '';
  const kf = `wk${run}sync`;
  let connector: WechatConnector;
  let hosted: HostedConnector;
  const dataDir = mkdtempSync(join(tmpdir(), 'sb-wecom-'));

  const host = async (config: WeComKfConfig) => {
    checkpoints = await CheckpointStore.load(env.kafka, producer, env.topics.checkpoints);
    connector = createWechatConnector({ weComKf: config });
    // A server per connector: a stopped one's routes would still answer the callbacks (503, not ready).
    await server?.close();
    server = new HttpServer();
    server.mount(connector.routes);
    base = await server.listen();
    hosted = await hostConnector(connector, { kafka: env.kafka, producer, topics: env.topics, checkpoints, dataDir });
    await connector.weComIdle();
  };
  const inboundOf = async (account: string) =>
    (await readAll(env.kafka, env.topics.inbound)).map((r) => InboundMessage.parse(JSON.parse(r.value))).filter((m) => m.meta.openKfId === account);
  const notify = async (account: string, token: string) => {
    const response = await post(weComCallback(base, kfNotificationXml(account, token)));
    expect(response.status).toBe(200);
    await connector.weComIdle();
  };

  beforeAll(async () => {
    await peer.start();
    env = await kafkaForTest();
    producer = new BatchingProducer(env.kafka);
    await producer.connect();
    await host(kfConfig());
  });
  afterAll(async () => {
    await hosted?.stop();
    await server?.close();
    await producer?.disconnect();
    await peer.stop();
  });

  it('reads every page of a notified account (empty pages with has_more too), media into the attachment store, the cursor saved after Kafka has the page', async () => {
    peer.pageSize = 2;
    peer.emptyPageFirst = true;
    peer.nicknames.set(CUSTOMER, '张三');
    const receipt = Buffer.from('\x89PNG receipt of order 8812');
    peer.addMedia(`MEDIA_${run}`, receipt, 'image/png', 'receipt.png');
    peer.customerWrites(kf, CUSTOMER, { msgtype: 'text', text: { content: '我的提现三天了还没到账' } });
    peer.customerWrites(kf, CUSTOMER, { msgtype: 'image', image: { media_id: `MEDIA_${run}` } });
    peer.customerWrites(kf, CUSTOMER, { msgtype: 'location', location: { latitude: 31.2304, longitude: 121.4737, name: '人民广场', address: '上海市黄浦区' } });
    const token = peer.systemEvent(kf, { event_type: 'enter_session', external_userid: CUSTOMER, scene: 'pay_receipt', scene_param: 'order%3D8812' });
    const before = peer.syncRequests.length;
    await notify(kf, token);

    const messages = await inboundOf(kf);
    expect(messages.map((m) => m.event?.type ?? m.meta.messageType)).toEqual(['text', 'image', 'location', 'enter_session']);
    expect(messages[0]).toMatchObject({ conversationKey: kfConversationKey(CORP_ID, kf, CUSTOMER), sender: { id: CUSTOMER, name: '张三' }, account: CORP_ID });
    const image = messages[1]!.attachments[0]!;
    expect(image).toMatchObject({ name: 'receipt.png', contentType: 'image/png', size: receipt.length, sha256: createHash('sha256').update(receipt).digest('hex') });
    expect(readFileSync(image.storageRef!)).toEqual(receipt);
    expect(messages[3]!.event).toEqual({ type: 'enter_session', fields: { scene: 'pay_receipt', scene_param: 'order%3D8812' } });

    const calls = peer.syncRequests.slice(before);
    expect(calls[0]).toEqual({ limit: 1000, open_kfid: kf, token });
    expect(calls.length).toBeGreaterThanOrEqual(4);
    expect(calls.slice(1).every((c) => typeof c.cursor === 'string' && c.token === token)).toBe(true);
    // The fake's cursors say where they point: after all four entries.
    const saved = checkpoints.namespace('wechat').get(CORP_ID, `kf/${kf}`) as { cursor: string };
    expect(Buffer.from(saved.cursor, 'base64url').toString()).toBe(`${kf}:4:`);
  });

  it('reads only what is new at the next notification, from the saved cursor', async () => {
    const saved = checkpoints.namespace('wechat').get(CORP_ID, `kf/${kf}`)!.cursor;
    const before = peer.syncRequests.length;
    await notify(kf, peer.customerWrites(kf, CUSTOMER, { msgtype: 'text', text: { content: '还在吗' } }));
    expect(peer.syncRequests[before]).toMatchObject({ cursor: saved });
    const texts = (await inboundOf(kf)).map((m) => m.text);
    expect(texts.filter((t) => t === '还在吗')).toHaveLength(1);
    expect(texts.filter((t) => t === '我的提现三天了还没到账')).toHaveLength(1);
  });

  it('syncs without the token when WeCom no longer takes it (95007)', async () => {
    peer.customerWrites(kf, CUSTOMER, { msgtype: 'text', text: { content: 'token expired meanwhile' } });
    const before = peer.syncRequests.length;
    await notify(kf, 'ENCnotAValidTokenAnyMore');
    expect(peer.syncRequests.slice(before).map((c) => 'token' in c)).toEqual([true, false, false]);
    expect((await inboundOf(kf)).filter((m) => m.text === 'token expired meanwhile')).toHaveLength(1);
  });

  it('after a restart, a timed sync without token reads what came while it was down, and nothing twice', async () => {
    peer.emptyPageFirst = false;
    await hosted.stop();
    peer.customerWrites(kf, CUSTOMER, { msgtype: 'text', text: { content: 'written while the connector was down' } });
    await host(kfConfig({ openKfIds: [kf], syncIntervalSeconds: 1 }));
    await eventually(async () => (await inboundOf(kf)).some((m) => m.text === 'written while the connector was down'), 15_000, 'the missed message');
    peer.customerWrites(kf, CUSTOMER, { msgtype: 'text', text: { content: 'no callback ever came for this one' } });
    await eventually(async () => (await inboundOf(kf)).some((m) => m.text === 'no callback ever came for this one'), 15_000, 'the timed sync');
    const all = await inboundOf(kf);
    expect(new Set(all.map((m) => m.id)).size).toBe(all.length);
    expect(peer.syncRequests.filter((c) => c.open_kfid === kf && !('token' in c)).length).toBeGreaterThanOrEqual(2);
  });

  describe('replies', () => {
    const outbound = (text: string, id = `out-${Math.random().toString(36).slice(2)}`, customer = CUSTOMER) =>
      ({ id, conversationKey: kfConversationKey(CORP_ID, kf, customer), text }) as OutboundMessage;

    it('take a new session for the API (service_state/trans 0 → 1) and send with our msgid', async () => {
      const customer = `wm${run}new`;
      peer.customerWrites(kf, customer, { msgtype: 'text', text: { content: 'hello' } });
      expect(peer.sessionOf(kf, customer).state).toBe(0);
      const message = outbound('您好，请问有什么可以帮您？', 'out-take-1', customer);
      expect(await connector.send(message)).toEqual({ externalId: kfMsgIdOf('out-take-1') });
      expect(peer.sessionOf(kf, customer).state).toBe(1);
      expect(peer.sends.at(-1)).toEqual({ touser: customer, open_kfid: kf, msgid: kfMsgIdOf('out-take-1'), msgtype: 'text', text: { content: '您好，请问有什么可以帮您？' } });
    });

    it('refuse, with the reason, a session a WeCom servicer has, or that ended', async () => {
      const customer = `wm${run}human`;
      peer.customerWrites(kf, customer, { msgtype: 'text', text: { content: 'hello' } });
      peer.setSession(kf, customer, 3, 'zhangsan');
      const refused = await connector.send(outbound('x', undefined, customer)).catch((e: unknown) => e);
      expect(refused).toBeInstanceOf(KfReplyRefusedError);
      expect((refused as Error).message).toBe('the WeCom session is handled by a WeCom servicer (zhangsan): the API may not send now');
      peer.setSession(kf, customer, 4);
      await expect(connector.send(outbound('x', undefined, customer))).rejects.toThrow(/ended or not started/);
    });

    it("refuse the sixth message after the customer's last one (95001) and any after 48 h (95002)", async () => {
      const customer = `wm${run}quota`;
      peer.customerWrites(kf, customer, { msgtype: 'text', text: { content: 'hello' } });
      for (let i = 0; i < 5; i++) await connector.send(outbound(`reply ${i}`, undefined, customer));
      await expect(connector.send(outbound('sixth', undefined, customer))).rejects.toThrow(/5 messages allowed .* \(errcode 95001\)/);
      const late = `wm${run}late`;
      peer.customerWrites(kf, late, { msgtype: 'text', text: { content: 'hello' } });
      const realNow = peer.now;
      peer.now = () => Date.now() + 49 * 3_600_000;
      try {
        const refused = await connector.send(outbound('too late', undefined, late)).catch((e: unknown) => e);
        expect(refused).toBeInstanceOf(KfReplyRefusedError);
        expect((refused as Error).message).toContain('errcode 95002');
      } finally {
        peer.now = realNow;
      }
    });

    it('fetch a new access token when WeCom says the cached one expired, and send', async () => {
      const customer = `wm${run}token`;
      peer.customerWrites(kf, customer, { msgtype: 'text', text: { content: 'hello' } });
      const tokens = peer.tokenRequests.length;
      peer.expireAccessTokens();
      await connector.send(outbound('after a token refresh', undefined, customer));
      expect(peer.tokenRequests.length).toBe(tokens + 1);
      expect(peer.sends.at(-1)).toMatchObject({ touser: customer, text: { content: 'after a token refresh' } });
    });

    it('turn failed in the ticket store, with the reason, when WeCom later sends msg_send_fail for our msgid; the event stays on the conversation', async () => {
      const customer = `wm${run}fail`;
      const conversationKey = kfConversationKey(CORP_ID, kf, customer);
      const database = await freshDatabase();
      const store = await openTicketStore({ url: database.url });
      const sink = await startTicketSink({
        kafka: env.kafka,
        producer,
        topics: env.topics,
        store,
        channels: await loadChannelRegistry(REPO_ROOT),
        ackChannels: [],
        groupId: `${env.prefix}kf-fail-sink`,
        deliveryGroupId: `${env.prefix}kf-fail-delivery`,
      });
      try {
        peer.customerWrites(kf, customer, { msgtype: 'text', text: { content: '转账失败了' } });
        // The router's part: the customer's message, routed, opens the ticket.
        const routed = routedMessage({ channel: 'wechat', account: CORP_ID, externalId: `kf-fail-${run}`, conversationKey, sender: { id: customer }, subject: undefined, text: '转账失败了' });
        await producer.sendJson(env.topics.routed, [{ key: conversationKey, value: routed }]);
        const ticket = await eventually(async () => (await store.listTickets({ channel: 'wechat' })).find((t) => t.conversationKey === conversationKey), 20_000, 'the ticket');

        // The gateway's part: the agent's reply recorded, then queued.
        const reply = OutboundMessage.parse({
          schemaVersion: 1, id: `reply_kf_fail_${run}`, kind: 'reply', ticketId: ticket.id, ticketNumber: ticket.number, channel: 'wechat', account: CORP_ID,
          conversationKey, recipient: { id: customer }, text: '请稍等，我们正在查询。', createdAt: new Date().toISOString(),
        });
        await store.recordOutbound(reply);
        await producer.sendJson(env.topics.outbound, [{ key: conversationKey, value: reply }]);
        const replyInStore = async () => (await store.getTicket(ticket.id))?.messages.find((m) => m.id === reply.id);
        await eventually(async () => (await replyInStore())?.deliveryState === 'sent', 20_000, 'the reply sent');
        expect(peer.sends.at(-1)).toMatchObject({ touser: customer, msgid: kfMsgIdOf(reply.id) });

        await notify(kf, peer.systemEvent(kf, { event_type: 'msg_send_fail', external_userid: customer, fail_msgid: kfMsgIdOf(reply.id), fail_type: 10 }));
        const failed = await eventually(async () => ((await replyInStore())?.deliveryState === 'failed' ? replyInStore() : undefined), 20_000, 'the reply failed');
        expect(failed?.deliveryReason).toBe('WeCom could not deliver it: the customer refused the message (msg_send_fail, fail_type 10)');

        const reports = (await readAll(env.kafka, env.topics.delivery)).map((r) => DeliveryReport.parse(JSON.parse(r.value)));
        expect(reports.filter((r) => r.outboundId === reply.id).map((r) => [r.status, r.externalId])).toEqual([['sent', kfMsgIdOf(reply.id)]]);
        expect(reports.filter((r) => r.externalId === kfMsgIdOf(reply.id) && !r.outboundId).map((r) => r.status)).toEqual(['failed']);
        const event = (await inboundOf(kf)).find((m) => m.conversationKey === conversationKey && m.event?.type === 'msg_send_fail');
        expect(event?.event?.fields).toMatchObject({ fail_msgid: kfMsgIdOf(reply.id), fail_type: 10, fail_reason: 'the customer refused the message' });
      } finally {
        await sink.stop();
        await store.close();
        await database.drop();
      }
    });
  });
});
