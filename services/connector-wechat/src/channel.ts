import { replyWindow, type ConnectorManifest, type ReplyPolicy } from '@switchboard/connector-sdk';
import { wechatConfig } from './config.ts';

/**
 * Customer-service messages may be sent for 48 h after the customer's message, five of them: the
 * Official Account's quota since the June 2023 rules (mp.weixin.qq.com announcement 116853659399Heuo,
 * summarised at ithome.com/0/696/375.htm), and WeCom customer service's send_msg rule
 * (developer.work.weixin.qq.com/document/path/94677: "仅当微信客户在主动发送消息给客服后的48小时内，企业可发送
 * 消息给客户，最多可发送5条消息"). A kf session must also be new or with the API, which the connector checks
 * (and takes a new session) when it sends: the history a policy reads carries no session state. A bot's
 * chats (contacts and rooms) have no window.
 */
const customerServiceWindow = replyWindow({ hours: 48, maxMessages: 5 });
const WINDOWED = /^(oa|kf):/;
const wechatReplies: ReplyPolicy = {
  summary: `Official Account and WeCom customer service: ${customerServiceWindow.summary} (WeCom: while the session is new or with the API); a bot's chats: any time`,
  decide: (request) => (WINDOWED.test(request.conversationKey) ? customerServiceWindow.decide(request) : { allowed: true }),
};

export const manifest: ConnectorManifest = {
  name: 'wechat',
  config: wechatConfig,
  channels: [
    {
      id: 'wechat',
      label: { en: 'WeChat', zh: '微信' },
      // Two speech bubbles.
      icon: { color: '#16a34a', path: 'M4 6h10v7H8l-3 3v-3H4z M16 9h4v7h-1v3l-3-3h-4v-2' },
      threading:
        'One conversation per Official Account follower (`oa:<appid>:<openid>`), WeCom customer-service customer per kf account (`kf:<corpid>:<open_kfid>:<external_userid>`), bot contact or group room; replies go to that chat.',
      replyPolicy: wechatReplies,
    },
  ],
};
