import type { CallOutcome } from '@switchboard/schema';
import { answerOf, recordingsOf, transcriptsOf, type CallRecord, type EndCause, type Parties, type RecordingFact } from './calls.ts';

/** What a call amounts to once it is over: the facts the message about it is built from. */
export interface CallView {
  direction: 'inbound' | 'outbound';
  outcome: CallOutcome;
  /** A missed, abandoned, rejected or failed inbound call, and every voicemail: someone must call back. */
  opensTicket: boolean;
  parties?: Parties;
  startedAt: string;
  answeredAt?: string;
  endedAt?: string;
  durationSeconds?: number;
  agent?: string;
  /** Completed recordings, the voicemail first. */
  recordings: RecordingFact[];
  /** The voicemail's transcript, when one arrived. */
  transcript?: string;
  /** The voicemail's transcription failed: the recording is all there is. */
  transcriptFailed: boolean;
  /** No end was ever reported: the call was closed after `silenceMs` without news. */
  closedBySilence: boolean;
}

const TICKET_OUTCOMES: ReadonlySet<CallOutcome> = new Set(['voicemail', 'missed', 'abandoned', 'rejected', 'failed']);

/** An inbound call that ended without an answer: why, from the call's own end and then from its legs'. */
function unansweredInbound(cause: EndCause, legEnds: readonly EndCause[]): CallOutcome {
  const direct: Partial<Record<EndCause, CallOutcome>> = { busy: 'rejected', rejected: 'rejected', canceled: 'abandoned', failed: 'failed', forwarded: 'forwarded', 'no-answer': 'missed' };
  if (direct[cause]) return direct[cause];
  // The caller was connected (to the provider, an IVR) and no person took it: how the agents' legs ended says why.
  if (legEnds.includes('canceled')) return 'abandoned';
  if (legEnds.includes('busy') || legEnds.includes('rejected')) return 'rejected';
  return 'missed';
}

const seconds = (from: string | undefined, to: string | undefined) =>
  from && to && Date.parse(to) >= Date.parse(from) ? Math.round((Date.parse(to) - Date.parse(from)) / 1000) : undefined;

/**
 * The call's view, or undefined while it is not over: it is over when it ended, when it reached voicemail,
 * or when nothing was heard of it for `silenceMs` (then it counts as ended without a cause). Pure.
 */
export function viewOf(record: CallRecord, now: Date, silenceMs: number): CallView | undefined {
  const recordings = recordingsOf(record)
    .filter((r) => r.status === 'completed')
    .sort((a, b) => Number(b.source === 'voicemail') - Number(a.source === 'voicemail') || a.id.localeCompare(b.id));
  const voicemail = record.voicemailAt !== undefined || recordings.some((r) => r.source === 'voicemail');
  const closedBySilence = !record.ended && !voicemail && now.getTime() - Date.parse(record.lastEventAt) >= silenceMs;
  if (!record.ended && !voicemail && !closedBySilence) return undefined;

  const direction = record.parties?.direction ?? 'inbound';
  const answer = answerOf(record);
  const answered = answer !== undefined && !voicemail;
  const cause = record.ended?.cause ?? 'unknown';
  let outcome: CallOutcome;
  if (voicemail) outcome = 'voicemail';
  else if (answered) outcome = 'answered';
  else if (direction === 'outbound') outcome = cause === 'forwarded' ? 'forwarded' : 'unanswered';
  else outcome = unansweredInbound(cause, record.legEnds);

  const message = recordings.find((r) => r.source === 'voicemail');
  const transcription = message ? transcriptsOf(record).get(message.id) : undefined;
  const startedAt = [record.offeredAt, answer?.at, record.ended?.at, record.voicemailAt, record.lastEventAt].find((t) => t !== undefined)!;
  const endedAt = record.ended?.at;
  const durationSeconds =
    outcome === 'voicemail'
      ? message?.durationSeconds
      : outcome === 'answered'
        ? (answer?.talkSeconds ?? seconds(answer?.at, endedAt) ?? (direction === 'outbound' ? record.ended?.durationSeconds : undefined))
        : undefined;
  const view: CallView = {
    direction,
    outcome,
    opensTicket: TICKET_OUTCOMES.has(outcome) && (direction === 'inbound' || outcome === 'voicemail'),
    startedAt,
    recordings,
    transcriptFailed: transcription?.status === 'failed',
    closedBySilence,
  };
  if (record.parties) view.parties = { direction: record.parties.direction, from: record.parties.from, to: record.parties.to, ...(record.parties.callerName ? { callerName: record.parties.callerName } : {}) };
  if (answered && answer.at) view.answeredAt = answer.at;
  if (endedAt) view.endedAt = endedAt;
  if (durationSeconds !== undefined) view.durationSeconds = durationSeconds;
  if (answered && answer.agent) view.agent = answer.agent;
  if (transcription?.status === 'completed' && transcription.text?.trim()) view.transcript = transcription.text.trim();
  return view;
}
