/**
 * The call-state reducer: every provider's callbacks become `CallEvent`s, folded into one `CallRecord`
 * per provider call id. Callbacks arrive out of order and more than once, so every fold is a join: the
 * earliest time wins, sets are unions, ties are broken by value. Folding the same events in any order,
 * any number of times, gives the same record (test/calls.test.ts checks every order).
 */

export type Provider = 'twilio' | 'cti';

/** Why a call (or one of its legs) ended, in words common to the providers. */
export type EndCause = 'completed' | 'busy' | 'no-answer' | 'canceled' | 'failed' | 'rejected' | 'forwarded' | 'unknown';

/** Who called whom, as the provider wrote the numbers (normalized later). */
export interface Parties {
  direction: 'inbound' | 'outbound';
  from: string;
  to: string;
  callerName?: string;
}

export interface RecordingFact {
  id: string;
  /** `voicemail`: the caller left a message (Twilio's <Record>); `call`: the conversation was recorded. */
  source: 'voicemail' | 'call';
  status: 'in-progress' | 'completed' | 'absent' | 'failed';
  url?: string;
  durationSeconds?: number;
  startedAt?: string;
}

export interface TranscriptionFact {
  id: string;
  recordingId?: string;
  status: 'completed' | 'failed' | 'in-progress';
  text?: string;
}

interface EventBase {
  provider: Provider;
  /** The provider's id of the call: Twilio's parent CallSid, the PBX's callId. */
  callId: string;
  /** When it happened: the provider's timestamp, or when it arrived. */
  at: string;
  /** The provider's account the call belongs to (Twilio's AccountSid). */
  accountId?: string;
}

export type CallEvent = EventBase &
  (
    | { kind: 'offered'; parties: Parties }
    | { kind: 'answered'; parties?: Parties; agent?: string; talkSeconds?: number; timeKnown?: boolean }
    | { kind: 'ended'; parties?: Parties; cause: EndCause; durationSeconds?: number }
    /** One leg of the call (an agent's phone ringing) ended without being answered. */
    | { kind: 'leg-ended'; cause: EndCause }
    /** The call reached a voicemail box (a PBX's "answered by voicemail"). */
    | { kind: 'voicemail' }
    | { kind: 'recording'; recording: RecordingFact }
    | { kind: 'transcription'; transcription: TranscriptionFact; parties?: Parties }
  );

export interface AnswerFact {
  at?: string;
  agent?: string;
  talkSeconds?: number;
}

export interface CallRecord {
  provider: Provider;
  callId: string;
  accountId?: string;
  /** The parties as the most telling event gave them (the offer before the end before the rest). */
  parties?: Parties & { rank: number };
  offeredAt?: string;
  /** Every report of an answer (several legs, or the PBX's answer and hangup both naming the agent). */
  answers: AnswerFact[];
  ended?: { at: string; cause: EndCause; durationSeconds?: number };
  legEnds: EndCause[];
  voicemailAt?: string;
  /** Every report of a recording and of a transcription, as received; `recordingsOf` merges them. */
  recordings: RecordingFact[];
  transcriptions: TranscriptionFact[];
  /** The latest event time: a call silent for too long is closed (a hangup the PBX never sent). */
  lastEventAt: string;
}

export function emptyRecord(provider: Provider, callId: string, at: string): CallRecord {
  return { provider, callId, answers: [], legEnds: [], recordings: [], transcriptions: [], lastEventAt: at };
}

const PARTY_RANK = { offered: 0, ended: 1, answered: 2, transcription: 3 } as const;

const earlier = (a: string | undefined, b: string | undefined): string | undefined => {
  if (a === undefined) return b;
  if (b === undefined) return a;
  return Date.parse(a) <= Date.parse(b) ? a : b;
};
const laterOf = (a: string, b: string): string => (Date.parse(a) >= Date.parse(b) ? a : b);
const minString = (a: string | undefined, b: string | undefined) => (a === undefined ? b : b === undefined ? a : a <= b ? a : b);

/** Of two candidates, the one ranked first by `key`, then by JSON: a total order, so the same pick in any order. */
function pick<T>(a: T | undefined, b: T | undefined, key: (v: T) => number): T | undefined {
  if (a === undefined) return b;
  if (b === undefined) return a;
  const ka = key(a);
  const kb = key(b);
  if (ka !== kb) return ka < kb ? a : b;
  return JSON.stringify(a) <= JSON.stringify(b) ? a : b;
}

/** A set of reports kept sorted and without repeats: a redelivered callback adds nothing. */
function union<T>(set: readonly T[], item: T): T[] {
  const byJson = new Map(set.map((x) => [JSON.stringify(x), x]));
  byJson.set(JSON.stringify(item), item);
  return [...byJson.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, x]) => x);
}

function withParties(record: CallRecord, parties: Parties | undefined, rank: number): CallRecord {
  if (!parties) return record;
  return { ...record, parties: pick(record.parties, { ...parties, rank }, (p) => p.rank) };
}

const defined = <T extends object>(value: T): T => Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;

/** Folds one event into the record (undefined: a call not seen yet). Pure: the record is not changed. */
export function applyEvent(current: CallRecord | undefined, event: CallEvent): CallRecord {
  let record: CallRecord = current ?? emptyRecord(event.provider, event.callId, event.at);
  record = defined({ ...record, lastEventAt: laterOf(record.lastEventAt, event.at), accountId: minString(record.accountId, event.accountId) });
  switch (event.kind) {
    case 'offered':
      return withParties({ ...record, offeredAt: earlier(record.offeredAt, event.at)! }, event.parties, PARTY_RANK.offered);
    case 'answered': {
      const answer = defined({ at: event.timeKnown === false ? undefined : event.at, agent: event.agent, talkSeconds: event.talkSeconds });
      return withParties({ ...record, answers: union(record.answers, answer) }, event.parties, PARTY_RANK.answered);
    }
    case 'ended': {
      const candidate = defined({ at: event.at, cause: event.cause, durationSeconds: event.durationSeconds });
      return withParties({ ...record, ended: pick(record.ended, candidate, (e) => Date.parse(e.at)) }, event.parties, PARTY_RANK.ended);
    }
    case 'leg-ended':
      return { ...record, legEnds: [...new Set([...record.legEnds, event.cause])].sort() };
    case 'voicemail':
      return { ...record, voicemailAt: earlier(record.voicemailAt, event.at)! };
    case 'recording':
      return { ...record, recordings: union(record.recordings, defined(event.recording)) };
    case 'transcription':
      return withParties({ ...record, transcriptions: union(record.transcriptions, defined(event.transcription)) }, event.parties, PARTY_RANK.transcription);
  }
}

const RECORDING_RANK = { completed: 0, failed: 1, absent: 2, 'in-progress': 3 } as const;
const TRANSCRIPTION_RANK = { completed: 0, failed: 1, 'in-progress': 2 } as const;

/** One fact per recording: the most final status, with what the other reports add (the URL, the length). */
export function recordingsOf(record: CallRecord): RecordingFact[] {
  const byId = new Map<string, RecordingFact[]>();
  for (const r of record.recordings) byId.set(r.id, [...(byId.get(r.id) ?? []), r]);
  return [...byId.values()].map((reports) => {
    const best = reports.reduce((a, b) => pick(a, b, (r) => RECORDING_RANK[r.status])!);
    return defined({
      ...best,
      url: best.url ?? reports.find((r) => r.url)?.url,
      durationSeconds: Math.max(...reports.map((r) => r.durationSeconds ?? -1)) >= 0 ? Math.max(...reports.map((r) => r.durationSeconds ?? -1)) : undefined,
      startedAt: reports.map((r) => r.startedAt).reduce(earlier, undefined),
      source: reports.some((r) => r.source === 'voicemail') ? ('voicemail' as const) : ('call' as const),
    });
  });
}

/** The text of the best transcription of each recording that has one. */
export function transcriptsOf(record: CallRecord): Map<string, TranscriptionFact> {
  const byRecording = new Map<string, TranscriptionFact>();
  for (const t of record.transcriptions) {
    const key = t.recordingId ?? t.id;
    byRecording.set(key, pick(byRecording.get(key), t, (x) => TRANSCRIPTION_RANK[x.status])!);
  }
  return byRecording;
}

/** The earliest answer with a time (its agent), else any agent named; the longest talk time reported. */
export function answerOf(record: CallRecord): AnswerFact | undefined {
  if (record.answers.length === 0) return undefined;
  const timed = record.answers.filter((a) => a.at !== undefined).reduce<AnswerFact | undefined>((a, b) => pick(a, b, (x) => Date.parse(x.at!)), undefined);
  const agent = timed?.agent ?? record.answers.map((a) => a.agent).reduce(minString, undefined);
  const talk = Math.max(...record.answers.map((a) => a.talkSeconds ?? -1));
  return defined({ at: timed?.at, agent, talkSeconds: talk >= 0 ? talk : undefined });
}
