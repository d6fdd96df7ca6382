import { InboundMessage, messageId, type Channel, type InboundMessageInput } from '@switchboard/schema';
import { seededRandom } from '@switchboard/runtime';


type Rng = () => number;
const pick = <T>(rng: Rng, items: readonly T[]): T => items[Math.floor(rng() * items.length)]!;

/** Share of traffic per channel, roughly what a wallet's support sees: email and chat first. */
const CHANNEL_MIX: readonly [Channel, number][] = [
  ['email', 0.3],
  ['webchat', 0.2],
  ['twitter', 0.15],
  ['wechat', 0.15],
  ['slack', 0.1],
  ['api', 0.1],
];

const ACCOUNTS: Record<Channel, string> = {
  email: 'support@wallet.example',
  webchat: 'site-widget',
  twitter: '@wallet_help',
  wechat: 'gh_wallet_oa',
  slack: 'T0WALLET',
  api: 'partner-portal',
};

const EN_SENTENCES = [
  'I sent 250 euros to my landlord on Monday and it still has not arrived.',
  'My card was declined twice at the supermarket even though I have enough balance.',
  'There is a payment of 49.99 on my statement that I do not recognise at all.',
  'I got a login alert from a device I have never used, please lock my account.',
  'Someone asked me for the code you sent by SMS, I think it was a scam call.',
  'The merchant says the refund was issued ten days ago but my balance has not changed.',
  'I returned the shoes last week, when will I get my money back?',
  'What exchange rate do you use when I pay in yen, and is there a fee for ATM withdrawals abroad?',
  'Why was I charged a foreign transaction fee on a purchase in my own currency?',
  'The identity verification keeps rejecting my selfie even in good light.',
  'How do I change the phone number on my account? I lost my old SIM.',
  'I want to close my account and move the remaining balance to my bank.',
  'I have called the support line three times and waited over an hour each time.',
  'Is there an email address where I can reach a real person?',
  'The app crashes every time I open the transactions tab.',
  'Thanks for the quick help yesterday, everything works now.',
];

const ZH_HANS_SENTENCES = [
  '我昨天付款的时候被扣了两次钱，订单只有一个。',
  '我上周申请的退款到现在还没到账，商家说已经原路退回了。',
  '我的账户半夜收到好几条消费通知，我怀疑账号被盗了，请马上冻结。',
  '出国旅行用卡消费的汇率是怎么算的？取现有手续费吗？',
  '实名认证一直失败，身份证照片已经重新上传了三次。',
  '转账显示成功，但是对方说没有收到钱。',
  '客服电话一直占线，在线客服只有机器人回复。',
  '怎么修改绑定的手机号？旧号码已经停用了。',
  '这个月的账单里多了一笔我不认识的扣款。',
  '请问怎么注销账户，余额怎么转出来？',
];

const ZH_HANT_SENTENCES = [
  '我的帳戶昨天半夜收到好幾條消費通知，可是那個時間我在睡覺。',
  '請馬上幫我凍結帳戶和卡片，密碼要怎麼重新設定？',
  '退款已經等了十天了，餘額一直沒有變化。',
  '海外刷卡的匯率和手續費是多少？',
  '線上客服一直在排隊，真的很擔心會被繼續盜刷。',
];

const SUBJECTS_EN = ['Missing transfer', 'Card declined', 'Refund not received', 'Unknown payment', 'Account locked', 'Fees abroad', 'Verification problem', 'Complaint'];
const SUBJECTS_ZH = ['转账未到账', '退款问题', '账户被盗', '手续费咨询', '實名認證失敗'];

type Language = 'en' | 'zh-Hans' | 'zh-Hant';

/** Sensitive data now and then, so the router's masking does real work as it would in production. */
function sensitiveExtra(rng: Rng): string {
  const roll = rng();
  if (roll < 0.02) return ' My card number is 4111 1111 1111 1111.';
  if (roll < 0.04) return ' The code in the SMS was 482913.';
  return '';
}

/** Short (social, chat), medium or long (email) text: 1, 2–4 or 5–14 sentences. */
function composeText(rng: Rng, language: Language, channel: Channel): string {
  const bank = language === 'en' ? EN_SENTENCES : language === 'zh-Hans' ? ZH_HANS_SENTENCES : ZH_HANT_SENTENCES;
  const long = channel === 'email' ? 0.5 : 0.1;
  const roll = rng();
  const sentences = roll < long ? 5 + Math.floor(rng() * 10) : roll < long + 0.3 ? 2 + Math.floor(rng() * 3) : 1;
  const parts: string[] = [];
  for (let i = 0; i < sentences; i++) parts.push(pick(rng, bank));
  const text = parts.join(language === 'en' ? ' ' : '') + sensitiveExtra(rng);
  return channel === 'twitter' ? `@wallet_help ${text}`.slice(0, 280) : text;
}

interface Conversation {
  channel: Channel;
  key: string;
  language: Language;
  senderId: string;
  senderName: string;
  subject?: string;
}

function conversationFor(rng: Rng, index: number, runTag: string): Conversation {
  let roll = rng();
  let channel: Channel = 'email';
  for (const [candidate, share] of CHANNEL_MIX) {
    channel = candidate;
    if ((roll -= share) < 0) break;
  }
  // WeChat is mostly Chinese; the other channels mostly English.
  const chinese = channel === 'wechat' ? rng() < 0.85 : rng() < 0.2;
  const language: Language = chinese ? (rng() < 0.75 ? 'zh-Hans' : 'zh-Hant') : 'en';
  const person = `${runTag}-c${index}`;
  const conversation: Conversation = {
    channel,
    key:
      channel === 'email'
        ? `<${person}@mail.example>`
        : channel === 'slack'
          ? `C0SUPPORT:${person}`
          : channel === 'twitter'
            ? `dm:wallet_help:${person}`
            : `${channel}:${person}`,
    language,
    senderId: channel === 'email' ? `${person}@mail.example` : `u-${person}`,
    senderName: language === 'en' ? `Customer ${index}` : `客户${index}`,
  };
  if (channel === 'email') conversation.subject = pick(rng, language === 'en' ? SUBJECTS_EN : SUBJECTS_ZH);
  return conversation;
}

export interface WorkloadOptions {
  /** Messages to generate. */
  count: number;
  seed?: number;
  /** Makes ids and conversations unique to one phase of one run (several phases share a database). */
  runTag: string;
  /** Timestamp of the first message; the others follow at 10 ms steps. */
  startAt: Date;
}

/**
 * `count` valid InboundMessages: about three messages per conversation, a channel mix, English and
 * Chinese (simplified and traditional), lengths from one-line tweets to multi-paragraph email.
 * The same options give the same messages.
 */
export function generateMessages(options: WorkloadOptions): InboundMessage[] {
  const rng = seededRandom(options.seed ?? 20261124);
  const conversations: Conversation[] = [];
  const conversationCount = Math.max(1, Math.ceil(options.count / 3));
  const messages: InboundMessage[] = [];
  const start = options.startAt.getTime();
  for (let i = 0; i < options.count; i++) {
    const slot = Math.floor(rng() * conversationCount);
    const conversation = (conversations[slot] ??= conversationFor(rng, slot, options.runTag));
    const { channel } = conversation;
    const account = ACCOUNTS[channel]!;
    const externalId = `${options.runTag}-${i}`;
    const sentAt = new Date(start + i * 10).toISOString();
    const input: InboundMessageInput = {
      schemaVersion: 1,
      id: messageId(channel, account, externalId),
      channel,
      account,
      externalId,
      conversationKey: conversation.key,
      sender: { id: conversation.senderId, name: conversation.senderName, ...(channel === 'email' ? { address: conversation.senderId } : {}) },
      ...(conversation.subject ? { subject: conversation.subject } : {}),
      text: composeText(rng, conversation.language, channel),
      attachments: channel === 'email' && rng() < 0.1 ? [{ name: 'receipt.pdf', contentType: 'application/pdf', size: 48_213 }] : [],
      sentAt,
      receivedAt: new Date(start + i * 10 + 150).toISOString(),
      ...(channel === 'email' ? { thread: { ancestors: [conversation.key] } } : {}),
      meta: channel === 'email' ? { messageIdHeader: `<${externalId}@mail.example>` } : { source: channel },
    };
    messages.push(InboundMessage.parse(input));
  }
  return messages;
}
