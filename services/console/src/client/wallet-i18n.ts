import { lang } from './i18n.ts';

/**
 * The wallet panel's words, beside it rather than in i18n.ts (already past the size a file should
 * have); the same rule: every English key has its Chinese one, or the bundle does not compile.
 */
const en = {
  title: 'Wallet',
  'none.suspect': 'No wallet lookup: the sender is suspect.',
  'none.unverified': 'No wallet lookup: the customer is not verified on this channel.',
  'none.no-customer-message': 'No wallet lookup: no message from the customer yet.',
  'none.error': 'The wallet section could not be shown.',
  unavailable: 'Ledger unavailable',
  unknownCustomer: 'The ledger does not know customer {ref}.',
  customer: 'Customer {ref}',
  'via.verified-sender': 'verified by the channel',
  'via.mapping': 'from the configured mapping',
  matches: 'Matching transactions',
  noMatches: 'No transaction matches what the customer wrote (searched from {since}).',
  'why.named': 'id named',
  'why.amount': 'amount',
  'why.day': 'day',
  duplicate: 'Possible double charge: {a} and {b}, {amount} {currency}{to}, {minutes} min apart.',
  duplicateTo: ' to {party}',
  refunds: 'Refunds named',
  'refund.unknown': 'not found at the ledger',
  frozen: 'Account frozen from this ticket ({at}); the customer was told.',
  freeze: 'Freeze account…',
  freezeReason: 'Why (kept in the audit trail and at the wallet)',
  freezeConfirm: 'Confirm: freeze the account',
  freezeCancel: 'Cancel',
  freezeWarning: 'The customer cannot pay or transfer until the account is unfrozen. They are told on their channel.',
  freezing: 'Freezing…',
  freezeDone: 'Frozen. The customer is being told.',
  freezeNoticeRefused: 'Frozen, but the notice could not go out: {reason}',
  freezeFailed: 'Not frozen: {reason}',
} as const;

type WalletKey = keyof typeof en;

const zh: Record<WalletKey, string> = {
  title: '钱包',
  'none.suspect': '不查询钱包：发送者可疑。',
  'none.unverified': '不查询钱包：该渠道未验证客户身份。',
  'none.no-customer-message': '不查询钱包：客户尚未发来消息。',
  'none.error': '无法显示钱包信息。',
  unavailable: '账本不可用',
  unknownCustomer: '账本中没有客户 {ref}。',
  customer: '客户 {ref}',
  'via.verified-sender': '由渠道验证',
  'via.mapping': '来自配置的映射',
  matches: '匹配的交易',
  noMatches: '没有与客户描述相符的交易（查询自 {since}）。',
  'why.named': '客户提供的编号',
  'why.amount': '金额',
  'why.day': '日期',
  duplicate: '可能重复扣款：{a} 和 {b}，{amount} {currency}{to}，相隔 {minutes} 分钟。',
  duplicateTo: '，收款方 {party}',
  refunds: '客户提到的退款',
  'refund.unknown': '账本中未找到',
  frozen: '已从本工单冻结账户（{at}），并已通知客户。',
  freeze: '冻结账户…',
  freezeReason: '原因（记入审计日志并发送给钱包）',
  freezeConfirm: '确认：冻结账户',
  freezeCancel: '取消',
  freezeWarning: '解冻前客户无法付款或转账。系统会在客户的渠道上通知客户。',
  freezing: '正在冻结…',
  freezeDone: '已冻结，正在通知客户。',
  freezeNoticeRefused: '已冻结，但通知未能发出：{reason}',
  freezeFailed: '未冻结：{reason}',
};

export function wt(key: WalletKey, values: Record<string, string | number> = {}): string {
  return (lang() === 'zh' ? zh : en)[key].replace(/\{(\w+)\}/g, (_, name: string) => String(values[name] ?? ''));
}
