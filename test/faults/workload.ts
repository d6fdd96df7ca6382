import { messageId, type InboundMessage } from '@switchboard/schema';

const TEXTS = [
  'My payment to the shop failed but the money left my account',
  'I did not make this transaction, someone used my card',
  'Please refund the order I cancelled last week',
  'Why was I charged a fee for the currency exchange?',
  'How do I verify my identity to raise my limit?',
  '我的转账一直显示处理中，钱已经扣了',
  '有人盗用了我的账户，请马上冻结',
  '退款什么时候到账？',
  'How can I contact a human agent?',
  '手續費怎麼這麼高？',
];

/** Channels of this repository's connectors: the workload's envelopes are what they produce. */
const WORKLOAD_CHANNELS = ['email', 'twitter', 'wechat', 'slack', 'webchat', 'api'];

/**
 * `count` messages over `conversations` conversations, each carrying its sequence number within its
 * conversation (meta.seq), so the checks can see loss, duplication and reordering.
 */
export function workload(count: number, conversations: number, runId: string): InboundMessage[] {
  const perConversation = new Map<number, number>();
  const base = Date.parse('2026-11-24T08:00:00Z');
  return Array.from({ length: count }, (_, i) => {
    const conversation = i % conversations;
    const seq = (perConversation.get(conversation) ?? 0) + 1;
    perConversation.set(conversation, seq);
    const channel = WORKLOAD_CHANNELS[conversation % WORKLOAD_CHANNELS.length]!;
    const externalId = `${runId}-${i}`;
    const at = new Date(base + i * 10).toISOString();
    return {
      schemaVersion: 1,
      id: messageId(channel, 'faults', externalId),
      channel,
      account: 'faults',
      externalId,
      conversationKey: `faults:${runId}:c${conversation}`,
      sender: { id: `customer-${conversation}` },
      text: `${TEXTS[i % TEXTS.length]} (#${i})`,
      attachments: [],
      sentAt: at,
      receivedAt: at,
      meta: { seq, faultsRun: runId },
    };
  });
}

/** Records that must end in the DLQ and nowhere else, with why. */
export function poison(runId: string): { value: string; key: string; kind: string }[] {
  const valid = workload(1, 1, `${runId}-poison`)[0]!;
  return [
    { kind: 'bad JSON', key: 'poison-1', value: '{"schemaVersion":1,"id":' },
    { kind: 'schema violation', key: 'poison-2', value: JSON.stringify({ ...valid, channel: 'Fax!' }) },
    // PostgreSQL refuses NUL in text: the sink's handler fails for this one message, whatever it retries.
    { kind: 'handler failure', key: 'poison-3', value: JSON.stringify({ ...valid, text: 'refund \u0000 please' }) },
  ];
}
