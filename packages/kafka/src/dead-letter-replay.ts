import type { Kafka } from 'kafkajs';
import { DeadLetter, type TopicNames } from '@switchboard/schema';
import { PermanentError } from '@switchboard/runtime';
import { BatchingProducer } from './producer.ts';
import { CheckpointStore, type CheckpointNamespace } from './checkpoints.ts';
import { readTopicRange } from './reader.ts';

/** What listing and replaying dead letters need: a client and the two topics involved. */
export interface DeadLetterTopics {
  kafka: Kafka;
  topics: Pick<TopicNames, 'dlq' | 'checkpoints'>;
}

/** A dead letter with whether the replay ledger says it went back already. */
export interface ListedDeadLetter {
  letter: DeadLetter;
  replayed: boolean;
}

export interface ReplaySelection {
  /** These letters; every id must name a letter on the DLQ. */
  ids?: readonly string[];
  /** Every letter on the DLQ (ids given as well must still exist). */
  all?: boolean;
  /** Called with (0, total) before the first letter, then (n, total) as the n-th is looked at. */
  onProgress?: (done: number, total: number) => void;
}

export interface ReplayResult {
  /** Sent back to their source topic now. */
  replayed: string[];
  /** The ledger has them as replayed already: nothing was sent. */
  alreadyReplayed: string[];
  /** No source topic to go back to (a connector could not parse what it got). */
  notReplayable: { id: string; reason: string }[];
}

/** A replay named ids the DLQ does not hold; nothing was replayed. */
export class UnknownDeadLetterError extends PermanentError {
  override readonly name = 'UnknownDeadLetterError';
  constructor(readonly ids: string[]) {
    super(`no dead letter with id ${ids.map((id) => `"${id}"`).join(', ')}`);
  }
}

/**
 * The replay ledger's place in the checkpoint topic. The CLI and the console share it, so a letter
 * goes back once whoever asks; the names are those the CLI has always written, so older entries count.
 */
const LEDGER = { namespace: 'dlq-replay', account: 'dlq' } as const;

async function loadLedger(deps: DeadLetterTopics, producer: BatchingProducer): Promise<CheckpointNamespace> {
  return (await CheckpointStore.load(deps.kafka, producer, deps.topics.checkpoints)).namespace(LEDGER.namespace);
}

/** Every dead letter on the DLQ, in log order; records that are not dead letters are passed over. */
export async function readDeadLetters(kafka: Kafka, dlqTopic: string): Promise<DeadLetter[]> {
  const letters: DeadLetter[] = [];
  await readTopicRange(kafka, dlqTopic, (message) => {
    const parsed = DeadLetter.safeParse(JSON.parse(message.value?.toString() ?? 'null'));
    if (parsed.success) letters.push(parsed.data);
  });
  return letters;
}

/** Every dead letter, in log order, each with its replay state. Reads the whole DLQ and checkpoint topics. */
export async function listDeadLetters(deps: DeadLetterTopics): Promise<ListedDeadLetter[]> {
  const letters = await readDeadLetters(deps.kafka, deps.topics.dlq);
  // Loading the ledger only reads; the producer is there for the store's tombstones of legacy keys.
  const ledger = await loadLedger(deps, new BatchingProducer(deps.kafka));
  return letters.map((letter) => ({ letter, replayed: ledger.get(LEDGER.account, letter.id) !== undefined }));
}

/**
 * Sends the chosen letters back to their source topic with their original bytes, key and headers (plus
 * `replayed-from-dlq: <id>`), each once: the ledger entry is written after the send, so a crash between
 * the two can replay a letter again, never lose one. Unknown ids fail the whole call before anything is sent.
 */
export async function replayDeadLetters(deps: DeadLetterTopics, selection: ReplaySelection): Promise<ReplayResult> {
  const ids = selection.ids ?? [];
  const letters = await readDeadLetters(deps.kafka, deps.topics.dlq);
  const known = new Set(letters.map((l) => l.id));
  const unknown = ids.filter((id) => !known.has(id));
  if (unknown.length > 0) throw new UnknownDeadLetterError(unknown);
  const chosen = selection.all ? letters : letters.filter((l) => ids.includes(l.id));
  const result: ReplayResult = { replayed: [], alreadyReplayed: [], notReplayable: [] };
  const producer = new BatchingProducer(deps.kafka);
  await producer.connect();
  try {
    const ledger = await loadLedger(deps, producer);
    selection.onProgress?.(0, chosen.length);
    for (const [index, letter] of chosen.entries()) {
      selection.onProgress?.(index + 1, chosen.length);
      if (ledger.get(LEDGER.account, letter.id)) result.alreadyReplayed.push(letter.id);
      else if (!letter.sourceTopic) result.notReplayable.push({ id: letter.id, reason: `no source topic (${letter.reason})` });
      else {
        const value = Buffer.from(letter.originalValue, 'base64');
        await producer.send(letter.sourceTopic, [{ key: letter.key ?? null, value, headers: { ...letter.headers, 'replayed-from-dlq': letter.id } }]);
        await ledger.save(LEDGER.account, letter.id, { replayedAt: new Date().toISOString() });
        result.replayed.push(letter.id);
      }
    }
  } finally {
    await producer.disconnect();
  }
  return result;
}
