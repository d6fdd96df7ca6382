import { replyWindow, type ConnectorManifest, type ReplyPolicy } from '@switchboard/connector-sdk';
import { wechatConfig } from './config.ts';

/**
 * Official Account customer-service messages may be sent for 48 h after the customer's message, five of
 * them (the quota since the June 2023 rules: mp.weixin.qq.com announcement 116853659399Heuo, summarised
 * at ithome.com/0/696/375.htm). A bot's chats (contacts and rooms) have no such window.
 */
const officialAccountWindow = replyWindow({ hours: 48, maxMessages: 5 });
const wechatReplies: ReplyPolicy = {
  summary: `Official Account: ${officialAccountWindow.summary}; a bot's chats: any time`,
  decide: (request) => (request.conversationKey.startsWith('oa:') ? officialAccountWindow.decide(request) : { allowed: true }),
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
      threading: 'One conversation per Official Account follower (`oa:<appid>:<openid>`), bot contact or group room; replies go to that chat.',
      replyPolicy: wechatReplies,
    },
  ],
};
