import { channelView } from './vocabulary.ts';

export type Lang = 'en' | 'zh';

const en = {
  title: 'Switchboard console',
  'nav.inbox': 'Inbox',
  'nav.pipeline': 'Pipeline',
  'lang.toggle': '中文',
  'lang.toggleLabel': 'Switch to Chinese',
  logout: 'Log out',
  'login.title': 'Sign in',
  'login.intro': 'Enter the API token of this Switchboard (SWITCHBOARD_API_TOKEN, or the one printed at start).',
  'login.token': 'API token',
  'login.submit': 'Sign in',
  'login.wrong': 'This token was not accepted. Check it and try again.',
  'login.expired': 'The token is no longer accepted. Sign in again.',
  'login.unreachable': 'The server cannot be reached. Try again in a moment.',
  'login.empty': 'Enter a token.',
  'filter.status': 'Status',
  'filter.category': 'Category',
  'filter.priority': 'Priority',
  'filter.channel': 'Channel',
  'filter.language': 'Language',
  'filter.sort': 'Sort',
  'filter.search': 'Search',
  'filter.any': 'All',
  'sort.newest': 'Newest first',
  'sort.urgent': 'Most urgent first',
  'inbox.empty': 'No tickets match these filters.',
  'inbox.count': 'Tickets: {n}',
  'inbox.updated': 'Updated {time}',
  'inbox.error': 'Tickets could not be loaded: {reason}',
  'inbox.pick': 'Pick a ticket to read the conversation.',
  back: 'Back',
  'ticket.customer': 'Customer',
  'ticket.opened': 'Opened',
  'ticket.messages': 'messages: {n}',
  'ticket.linked': 'Follows ticket {id}',
  'ticket.saved': 'Saved',
  'ticket.saveFailed': 'Not saved: {reason}',
  'ticket.notFound': 'This ticket no longer exists.',
  'decision.title': 'Classifier decision',
  'decision.category': 'Category',
  'decision.confidence': 'Confidence',
  'decision.triage': 'Needs a person to check the category',
  'decision.noTriage': 'Confident',
  'decision.priorityRules': 'Priority rules',
  'decision.features': 'Features that weighed most',
  'decision.none': 'none',
  'decision.version': 'Model {v}',
  'decision.redactions': 'Masked before storage',
  'thread.title': 'Conversation',
  'thread.you': 'Agent',
  'thread.ack': 'Automatic acknowledgement',
  'thread.edited': 'edited',
  'thread.deleted': 'deleted by the customer',
  'thread.attachments': 'Attachments',
  'thread.auto': 'automatic mail: {reason}',
  'thread.event': 'Event: {type}',
  'thread.eventAsks': 'asks for an agent',
  'state.queued': 'Queued',
  'state.sent': 'Sent',
  'state.failed': 'Failed',
  'reply.title': 'Reply',
  'reply.placeholder': 'Write a reply to the customer…',
  'reply.send': 'Send reply',
  'reply.sending': 'Sending…',
  'reply.queued': 'Reply queued; it is marked sent once the channel delivered it.',
  'reply.failed': 'The reply was not accepted: {reason}. Sending again is safe.',
  'reply.public': 'Public reply',
  'window.closesIn': 'Reply window closes in {left}.',
  'window.remaining': '{n} more message(s) may be sent before the customer writes again.',
  'window.window-closed': 'Reply window closed: the customer must write first.',
  'window.template-only': 'Reply window closed: only an approved template can be sent.',
  'window.quota-exhausted': 'Message allowance used: the customer must write first.',
  'window.not-for-automatic': 'This channel does not accept this kind of message now.',
  'window.no-customer-message': 'The customer has not written on this conversation yet.',
  'duration.hm': '{h} h {m} min',
  'duration.m': '{m} min',
  'mask.card': 'Card number, masked by the router',
  'mask.code': 'One-time code, masked by the router',
  'mask.password': 'Password, masked by the router',
  'pipeline.rates': 'Messages per second',
  'pipeline.ratesHint': 'Produced and consumed by this process, sampled every {s} s.',
  'pipeline.topic': 'Topic',
  'pipeline.produced': 'produced/s',
  'pipeline.consumed': 'consumed/s',
  'pipeline.total': 'total',
  'pipeline.lag': 'Consumer lag',
  'pipeline.group': 'Group',
  'pipeline.records': 'records behind',
  'pipeline.dlq': 'Dead letters',
  'pipeline.dlqSize': '{n} in the DLQ',
  'pipeline.dlqEmpty': 'The DLQ is empty.',
  'pipeline.reprocess': 'Reprocess',
  'pipeline.replayed': 'Replayed',
  'pipeline.notReplayable': 'No source topic',
  'pipeline.replayDone': 'Sent back to {topic}.',
  'pipeline.replayAlready': 'Already replayed before.',
  'pipeline.replayFailed': 'Not replayed: {reason}',
  'pipeline.channels': 'Channels',
  'pipeline.connected': 'connected',
  'pipeline.down': 'not ready',
  'pipeline.lastMessage': 'last message {age}',
  'pipeline.noMessage': 'no message yet',
  'pipeline.errors': '{n} errors',
  'pipeline.tickets': 'Tickets',
  'pipeline.ticketTotals': '{tickets} tickets, {messages} messages, {corrections} category corrections',
  'pipeline.error': 'Pipeline stats could not be loaded: {reason}',
  'pipeline.unknown': 'unknown',
  'age.now': 'now',
  'age.m': '{n}m',
  'age.h': '{n}h',
  'age.d': '{n}d',
  'age.ago': '{age} ago',
  'status.open': 'Open',
  'status.pending': 'Pending',
  'status.resolved': 'Resolved',
  'category.transaction': 'Transaction',
  'category.security': 'Security',
  'category.refund': 'Refund',
  'category.fees_fx': 'Fees & FX',
  'category.account': 'Account',
  'category.contact': 'Contact',
  'priority.urgent': 'Urgent',
  'priority.high': 'High',
  'priority.normal': 'Normal',
  'priority.low': 'Low',
  'language.zh-Hans': 'Chinese (Simplified)',
  'language.zh-Hant': 'Chinese (Traditional)',
  'language.en': 'English',
  'language.other': 'Other',
  triage: 'Triage',
};

export type MessageKey = keyof typeof en;

const zh: Record<MessageKey, string> = {
  title: 'Switchboard 客服控制台',
  'nav.inbox': '收件箱',
  'nav.pipeline': '管道',
  'lang.toggle': 'English',
  'lang.toggleLabel': '切换到英文',
  logout: '退出',
  'login.title': '登录',
  'login.intro': '请输入本 Switchboard 的 API 令牌（SWITCHBOARD_API_TOKEN，或启动时打印的令牌）。',
  'login.token': 'API 令牌',
  'login.submit': '登录',
  'login.wrong': '令牌不正确，请检查后重试。',
  'login.expired': '令牌已失效，请重新登录。',
  'login.unreachable': '无法连接服务器，请稍后再试。',
  'login.empty': '请输入令牌。',
  'filter.status': '状态',
  'filter.category': '类别',
  'filter.priority': '优先级',
  'filter.channel': '渠道',
  'filter.language': '语言',
  'filter.sort': '排序',
  'filter.search': '搜索',
  'filter.any': '全部',
  'sort.newest': '最新优先',
  'sort.urgent': '最紧急优先',
  'inbox.empty': '没有符合条件的工单。',
  'inbox.count': '{n} 个工单',
  'inbox.updated': '更新于 {time}',
  'inbox.error': '无法加载工单：{reason}',
  'inbox.pick': '选择一个工单查看对话。',
  back: '返回',
  'ticket.customer': '客户',
  'ticket.opened': '创建于',
  'ticket.messages': '{n} 条消息',
  'ticket.linked': '接续工单 {id}',
  'ticket.saved': '已保存',
  'ticket.saveFailed': '未保存：{reason}',
  'ticket.notFound': '该工单已不存在。',
  'decision.title': '分类器判断',
  'decision.category': '类别',
  'decision.confidence': '置信度',
  'decision.triage': '需要人工确认类别',
  'decision.noTriage': '置信度足够',
  'decision.priorityRules': '优先级规则',
  'decision.features': '权重最高的特征',
  'decision.none': '无',
  'decision.version': '模型 {v}',
  'decision.redactions': '存储前已遮盖',
  'thread.title': '对话',
  'thread.you': '客服',
  'thread.ack': '自动确认回复',
  'thread.edited': '已编辑',
  'thread.deleted': '客户已删除',
  'thread.attachments': '附件',
  'thread.auto': '自动邮件：{reason}',
  'thread.event': '事件：{type}',
  'thread.eventAsks': '请求人工客服',
  'state.queued': '排队中',
  'state.sent': '已发送',
  'state.failed': '发送失败',
  'reply.title': '回复',
  'reply.placeholder': '给客户写回复…',
  'reply.send': '发送回复',
  'reply.sending': '发送中…',
  'reply.queued': '回复已排队；渠道送达后会标记为已发送。',
  'reply.failed': '回复未被接受：{reason}。可以安全地重新发送。',
  'reply.public': '公开回复',
  'window.closesIn': '回复窗口将在 {left} 后关闭。',
  'window.remaining': '客户再次发消息前，还可发送 {n} 条消息。',
  'window.window-closed': '回复窗口已关闭：需等客户先发消息。',
  'window.template-only': '回复窗口已关闭：只能发送已审核的模板消息。',
  'window.quota-exhausted': '可发送条数已用完：需等客户先发消息。',
  'window.not-for-automatic': '该渠道目前不接受此类消息。',
  'window.no-customer-message': '客户尚未在此会话中发过消息。',
  'duration.hm': '{h} 小时 {m} 分钟',
  'duration.m': '{m} 分钟',
  'mask.card': '卡号，已由路由器遮盖',
  'mask.code': '一次性验证码，已由路由器遮盖',
  'mask.password': '密码，已由路由器遮盖',
  'pipeline.rates': '每秒消息数',
  'pipeline.ratesHint': '本进程生产和消费的消息，每 {s} 秒采样一次。',
  'pipeline.topic': '主题',
  'pipeline.produced': '生产/秒',
  'pipeline.consumed': '消费/秒',
  'pipeline.total': '总计',
  'pipeline.lag': '消费者延迟',
  'pipeline.group': '消费组',
  'pipeline.records': '条未处理',
  'pipeline.dlq': '死信队列',
  'pipeline.dlqSize': '死信队列中有 {n} 条',
  'pipeline.dlqEmpty': '死信队列为空。',
  'pipeline.reprocess': '重新处理',
  'pipeline.replayed': '已重放',
  'pipeline.notReplayable': '无来源主题',
  'pipeline.replayDone': '已发回 {topic}。',
  'pipeline.replayAlready': '之前已经重放过。',
  'pipeline.replayFailed': '未重放：{reason}',
  'pipeline.channels': '渠道',
  'pipeline.connected': '已连接',
  'pipeline.down': '未就绪',
  'pipeline.lastMessage': '最近消息 {age}',
  'pipeline.noMessage': '尚无消息',
  'pipeline.errors': '{n} 个错误',
  'pipeline.tickets': '工单',
  'pipeline.ticketTotals': '{tickets} 个工单，{messages} 条消息，{corrections} 次类别更正',
  'pipeline.error': '无法加载管道统计：{reason}',
  'pipeline.unknown': '未知',
  'age.now': '刚刚',
  'age.m': '{n}分钟',
  'age.h': '{n}小时',
  'age.d': '{n}天',
  'age.ago': '{age}前',
  'status.open': '待处理',
  'status.pending': '等待中',
  'status.resolved': '已解决',
  'category.transaction': '交易',
  'category.security': '安全',
  'category.refund': '退款',
  'category.fees_fx': '费用与汇率',
  'category.account': '账户',
  'category.contact': '联系方式',
  'priority.urgent': '紧急',
  'priority.high': '高',
  'priority.normal': '普通',
  'priority.low': '低',
  'language.zh-Hans': '简体中文',
  'language.zh-Hant': '繁體中文',
  'language.en': '英文',
  'language.other': '其他',
  triage: '待分拣',
};

const CATALOGS: Record<Lang, Record<MessageKey, string>> = { en, zh };
const STORAGE_KEY = 'switchboard.console.lang';

let current: Lang = initialLang();

function initialLang(): Lang {
  const saved = localStorage.getItem(STORAGE_KEY);
  if (saved === 'en' || saved === 'zh') return saved;
  return (navigator.language || 'en').toLowerCase().startsWith('zh') ? 'zh' : 'en';
}

export function lang(): Lang {
  return current;
}

export function setLang(next: Lang): void {
  current = next;
  localStorage.setItem(STORAGE_KEY, next);
  document.documentElement.lang = next === 'zh' ? 'zh-Hans' : 'en';
}

export function t(key: MessageKey, values: Record<string, string | number> = {}): string {
  return CATALOGS[current][key].replace(/\{(\w+)\}/g, (_, name: string) => String(values[name] ?? ''));
}

/** A label for an enum value (`category.security`), or the raw value when there is none; channels label themselves. */
export function label(kind: 'status' | 'category' | 'priority' | 'channel' | 'language', value: string): string {
  if (kind === 'channel') return channelView(value).label[current];
  const key = `${kind}.${value}` as MessageKey;
  return key in en ? t(key) : value;
}

/** `3 h 12 min`, or `12 min` under an hour. */
export function duration(ms: number): string {
  const minutes = Math.max(1, Math.ceil(ms / 60_000));
  const h = Math.floor(minutes / 60);
  return h > 0 ? t('duration.hm', { h, m: minutes % 60 }) : t('duration.m', { m: minutes });
}

export function age(iso: string, now = Date.now()): string {
  const seconds = Math.max(0, (now - Date.parse(iso)) / 1000);
  if (seconds < 60) return t('age.now');
  if (seconds < 3600) return t('age.m', { n: Math.floor(seconds / 60) });
  if (seconds < 86_400) return t('age.h', { n: Math.floor(seconds / 3600) });
  return t('age.d', { n: Math.floor(seconds / 86_400) });
}

export function ago(iso: string): string {
  const value = age(iso);
  return value === t('age.now') ? value : t('age.ago', { age: value });
}

export function dateTime(iso: string): string {
  return new Date(iso).toLocaleString(current === 'zh' ? 'zh-CN' : 'en-GB', { dateStyle: 'medium', timeStyle: 'short' });
}

document.documentElement.lang = current === 'zh' ? 'zh-Hans' : 'en';
