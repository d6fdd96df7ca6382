import type { ErrorCode } from '../protocol.ts';

export type Lang = 'en' | 'zh';

/** `?lang=zh|en` first, then the browser's language. */
export function pickLang(search: string, navigatorLanguage: string | undefined): Lang {
  const asked = new URLSearchParams(search).get('lang');
  if (asked === 'zh' || asked === 'en') return asked;
  return (navigatorLanguage ?? '').toLowerCase().startsWith('zh') ? 'zh' : 'en';
}

const en = {
  title: 'Customer service',
  connecting: 'Connecting…',
  online: 'Online · we usually reply in a few minutes',
  offline: 'Offline · reconnecting…',
  empty: 'Ask us anything about your wallet.',
  profileIntro: 'Tell us who you are so we can follow up (optional).',
  name: 'Your name',
  email: 'Email',
  start: 'Start chat',
  skip: 'Skip',
  placeholder: 'Type your message…',
  send: 'Send',
  close: 'Close chat',
  sending: 'Sending…',
  sent: 'Sent',
  failed: 'Not sent',
  you: 'You',
  agent: 'Support',
  open: 'Chat with us',
  errors: {
    too_long: 'Your message is too long (at most {n} characters).',
    rate_limited: 'You are sending messages too fast. Please wait a moment.',
    bad_frame: 'That message could not be sent.',
    not_ready: 'Still connecting, please try again.',
    unavailable: 'Service temporarily unavailable, retrying…',
    identity_refused: 'We could not confirm your wallet sign-in (it may have expired). You can still write to us, but we cannot see your account: reload the wallet page to sign in again.',
  } satisfies Record<ErrorCode, string>,
};

const zh: typeof en = {
  title: '在线客服',
  connecting: '连接中…',
  online: '在线 · 通常几分钟内回复',
  offline: '已断开 · 正在重连…',
  empty: '有任何钱包相关问题，请随时提问。',
  profileIntro: '留下联系方式，方便我们跟进（选填）。',
  name: '您的姓名',
  email: '电子邮箱',
  start: '开始咨询',
  skip: '跳过',
  placeholder: '请输入消息…',
  send: '发送',
  close: '关闭',
  sending: '发送中…',
  sent: '已发送',
  failed: '发送失败',
  you: '我',
  agent: '客服',
  open: '联系客服',
  errors: {
    too_long: '消息过长（最多 {n} 个字符）。',
    rate_limited: '发送太频繁，请稍后再试。',
    bad_frame: '这条消息无法发送。',
    not_ready: '正在连接，请稍后再试。',
    unavailable: '服务暂时不可用，正在重试…',
    identity_refused: '无法确认您的钱包登录状态（可能已过期）。您仍可留言，但客服看不到您的账户信息；请刷新钱包页面重新登录。',
  },
};

export type Strings = typeof en;
export const STRINGS: Record<Lang, Strings> = { en, zh };
