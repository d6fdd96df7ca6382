import { describe, expect, it } from 'vitest';
import { InboundMessage, messageId, type Attachment } from '@switchboard/schema';
import type { KfMessage } from '../src/kf/api.ts';
import { kfConversationKey, kfMsgIdOf, kfSendFailure, mediaIdOf, normalizeKfMessage, parseKfConversationKey, UnusableKfMessageError } from '../src/kf/normalize.ts';
import { CORP_ID, CUSTOMER, OPEN_KFID } from './wecom-peer.ts';

const receivedAt = new Date('2026-12-07T09:00:00Z');
const kept: Attachment = { name: 'receipt.jpg', contentType: 'image/jpeg', size: 3, sha256: 'a'.repeat(64), storageRef: '/data/files/aaa' };
const context = { corpId: CORP_ID, receivedAt, media: (id: string) => (id === 'MEDIA_KEPT' ? kept : undefined), nicknames: new Map([[CUSTOMER, '张三']]) };
/** sync_msg entries as 94670 documents them (customer messages carry open_kfid and external_userid at the top). */
const customer = (msgtype: string, body: Record<string, unknown>, msgid = `msg-${msgtype}`): KfMessage => ({
  msgid,
  open_kfid: OPEN_KFID,
  external_userid: CUSTOMER,
  send_time: 1765098000,
  origin: 3,
  msgtype,
  [msgtype]: body,
});
/** System events carry open_kfid and external_userid inside `event`. */
const systemEvent = (event: Record<string, unknown>, msgid = `ev-${String(event.event_type)}`): KfMessage => ({ msgid, send_time: 1765098000, origin: 4, msgtype: 'event', event: { open_kfid: OPEN_KFID, ...event } });
const normalize = (message: KfMessage) => InboundMessage.parse(normalizeKfMessage(message, context));
const conversationKey = kfConversationKey(CORP_ID, OPEN_KFID, CUSTOMER);

describe('WeCom customer-service entries as envelopes', () => {
  it('a text: msgid as the id, the customer (with nickname) as sender, one conversation per corp, kf account and customer', () => {
    expect(normalize(customer('text', { content: '提现一直没到账', menu_id: '101' }))).toMatchObject({
      id: messageId('wechat', CORP_ID, 'msg-text'),
      channel: 'wechat',
      account: CORP_ID,
      externalId: 'msg-text',
      conversationKey,
      sender: { id: CUSTOMER, name: '张三' },
      text: '提现一直没到账',
      sentAt: '2025-12-07T09:00:00.000Z',
      meta: { source: 'wecom-kf', messageType: 'text', openKfId: OPEN_KFID, origin: 3, menuId: '101' },
    });
    expect(parseKfConversationKey(conversationKey)).toEqual({ corpId: CORP_ID, openKfId: OPEN_KFID, externalUserId: CUSTOMER });
    expect(parseKfConversationKey('oa:wx1:o1')).toBeUndefined();
  });

  it.each([
    ['image', { media_id: 'MEDIA_KEPT' }, { text: '', attachments: [kept] }],
    ['voice', { media_id: 'MEDIA_GONE' }, { text: '', attachments: [{ name: 'MEDIA_GONE', contentType: 'audio/amr', size: 0 }] }],
    ['video', { media_id: 'MEDIA_GONE' }, { attachments: [{ contentType: 'video/mp4', size: 0 }] }],
    ['file', { media_id: 'MEDIA_KEPT' }, { attachments: [kept] }],
    ['location', { latitude: 31.230416, longitude: 121.473701, name: '人民广场', address: '上海市黄浦区人民大道200号' }, { text: '人民广场\n上海市黄浦区人民大道200号', meta: { location: { lat: 31.230416, lng: 121.473701 } } }],
    ['link', { title: '退款进度', desc: '订单 8812', url: 'https://wallet.example/r/8812', pic_url: 'https://wallet.example/p.png' }, { text: '退款进度\n订单 8812\nhttps://wallet.example/r/8812', meta: { link: { url: 'https://wallet.example/r/8812' } } }],
    ['business_card', { userid: 'wmBusinessCardUser' }, { text: '', meta: { businessCard: { userId: 'wmBusinessCardUser' } } }],
    ['miniprogram', { appid: 'wx8bd80126147dfa22', title: '我的账单', pagepath: 'pages/bill/index', thumb_media_id: 'THUMB' }, { text: '我的账单', meta: { miniProgram: { appId: 'wx8bd80126147dfa22', pagePath: 'pages/bill/index' } } }],
    ['channels_shop_product', { product_id: '10000017457793', head_image: 'https://x/p.jpg', title: '运动鞋', sales_price: '49900', shop_nickname: '官方小店', shop_head_image: 'https://x/s.jpg' }, { text: '运动鞋\n49900\n官方小店', meta: { channelsShopProduct: { product_id: '10000017457793' } } }],
    ['channels_shop_order', { order_id: '3704612154486702080', product_titles: '运动鞋', price_wording: '¥499.00', state: '待发货', image_url: 'https://x/o.jpg', shop_nickname: '官方小店' }, { text: '运动鞋\n¥499.00\n待发货\n3704612154486702080', meta: { channelsShopOrder: { order_id: '3704612154486702080' } } }],
    ['channels', { sub_type: 1, nickname: '钱包官方', title: '如何开通零钱通' }, { text: '钱包官方\n如何开通零钱通', meta: { channels: { sub_type: 1 } } }],
    ['merged_msg', { title: '聊天记录', item: [{ send_time: 1765097000, msgtype: 0, sender_name: '张三', msg_content: '{"text":{"content":"转账失败"}}' }] }, { text: '聊天记录\n张三: {"text":{"content":"转账失败"}}', meta: { mergedMessage: { title: '聊天记录' } } }],
  ])('%s', (msgtype, body, expected) => {
    const message = normalize(customer(msgtype, body));
    expect(message).toMatchObject({ ...expected, meta: { messageType: msgtype, ...((expected as { meta?: object }).meta ?? {}) } });
    expect(message.event).toBeUndefined();
  });

  it('names the media to fetch: image, voice, video and file only', () => {
    expect(mediaIdOf(customer('image', { media_id: 'M1' }))).toBe('M1');
    expect(mediaIdOf(customer('text', { content: 'x' }))).toBeUndefined();
  });

  it('keeps a type it does not know whole, as a message', () => {
    const odd = customer('note', { what: 'a note' });
    expect(normalize(odd)).toMatchObject({ text: '', meta: { messageType: 'note', rawMessage: odd } });
  });

  it('enter_session: an event with its scene and scene_param, so a session opened from a payment receipt says so', () => {
    const entered = normalize(
      systemEvent({ event_type: 'enter_session', external_userid: CUSTOMER, scene: 'pay_receipt', scene_param: 'order%3D4200001', welcome_code: 'aaaabbbbccccdddd', wechat_channels: { nickname: '', shop_nickname: '', scene: 0 } }),
    );
    expect(entered).toMatchObject({ conversationKey, text: '', sender: { id: CUSTOMER, name: '张三' } });
    expect(entered.event).toEqual({ type: 'enter_session', fields: { scene: 'pay_receipt', scene_param: 'order%3D4200001', welcome_code: 'aaaabbbbccccdddd', wechat_channels: { nickname: '', shop_nickname: '', scene: 0 } } });
  });

  it.each([
    ['msg_send_fail, with the reason in words', { event_type: 'msg_send_fail', external_userid: CUSTOMER, fail_msgid: 'ours-1', fail_type: 10 }, { fail_msgid: 'ours-1', fail_type: 10, fail_reason: 'the customer refused the message' }],
    ['session_status_change', { event_type: 'session_status_change', external_userid: CUSTOMER, change_type: 1, new_servicer_userid: 'zhangsan', msg_code: 'MSG_CODE' }, { change_type: 1, new_servicer_userid: 'zhangsan', msg_code: 'MSG_CODE' }],
    ['servicer_recall_msg', { event_type: 'servicer_recall_msg', external_userid: CUSTOMER, recall_msgid: 'r1', servicer_userid: 'lisi' }, { recall_msgid: 'r1', servicer_userid: 'lisi' }],
  ])('%s: an event of the conversation with every field', (_what, event, fields) => {
    const message = normalize(systemEvent(event));
    expect(message.conversationKey).toBe(conversationKey);
    expect(message.event).toEqual({ type: event.event_type, fields });
    expect(message.edit).toBeUndefined();
  });

  it("servicer_status_change has no customer: it goes to the servicer's own conversation", () => {
    const change = normalize(systemEvent({ event_type: 'servicer_status_change', servicer_userid: 'zhangsan', status: 2, stop_type: 1 }));
    expect(change).toMatchObject({ conversationKey: `kf-servicer:${CORP_ID}:${OPEN_KFID}:zhangsan`, sender: { id: 'zhangsan' } });
    expect(change.event).toEqual({ type: 'servicer_status_change', fields: { servicer_userid: 'zhangsan', status: 2, stop_type: 1 } });
  });

  it('a recall by the customer deletes the recalled message', () => {
    const recall = normalize(systemEvent({ event_type: 'user_recall_msg', external_userid: CUSTOMER, recall_msgid: 'msg-text' }));
    expect(recall.edit).toEqual({ kind: 'deleted', targetId: messageId('wechat', CORP_ID, 'msg-text') });
  });

  it('what a servicer sent from the WeCom client is an event of the conversation, not the customer writing', () => {
    const servicer = normalize({ ...customer('text', { content: '您好，已为您处理' }), origin: 5, servicer_userid: 'zhangsan' });
    expect(servicer).toMatchObject({ conversationKey, sender: { id: CUSTOMER }, text: '您好，已为您处理' });
    expect(servicer.event).toEqual({ type: 'servicer_message', fields: { servicer_userid: 'zhangsan', msgtype: 'text' } });
  });

  it('refuses an entry that names no account or nobody', () => {
    expect(() => normalize({ msgid: 'x', msgtype: 'text', text: { content: 'hi' } })).toThrow(UnusableKfMessageError);
    expect(() => normalize({ msgid: 'y', msgtype: 'event', event: { event_type: 'enter_session', open_kfid: OPEN_KFID } })).toThrow(/neither a customer nor a servicer/);
    expect(() => normalize({ msgid: '', msgtype: 'text' })).toThrow(/without msgid/);
  });

  it('msg_send_fail of our msgid: the failure to report by that msgid, with the reason in words and the event time', () => {
    const ours = kfMsgIdOf('reply_42');
    expect(kfSendFailure(systemEvent({ event_type: 'msg_send_fail', external_userid: CUSTOMER, fail_msgid: ours, fail_type: 4 }), receivedAt)).toEqual({
      externalId: ours,
      reason: 'WeCom could not deliver it: the session expired (more than 48 hours) (msg_send_fail, fail_type 4)',
      at: new Date(1765098000 * 1000).toISOString(),
    });
    expect(kfSendFailure(systemEvent({ event_type: 'msg_send_fail', external_userid: CUSTOMER, fail_msgid: ours, fail_type: 99 }), receivedAt)?.reason).toContain('fail_type 99');
    // A servicer's send from the WeCom client, or another app's, has a msgid WeCom made: not a reply of ours.
    expect(kfSendFailure(systemEvent({ event_type: 'msg_send_fail', external_userid: CUSTOMER, fail_msgid: 'ours-1', fail_type: 10 }), receivedAt)).toBeUndefined();
    expect(kfSendFailure(systemEvent({ event_type: 'enter_session', external_userid: CUSTOMER, fail_msgid: ours }), receivedAt)).toBeUndefined();
    expect(kfSendFailure(customer('text', { content: ours }), receivedAt)).toBeUndefined();
  });
});
