/**
 * The call-state reducer and the call's view, as tables: each row is a call's events as its provider
 * reports them (CTI payloads, Twilio's form parameters), folded in every order and with every event
 * delivered twice; the record and the view must come out the same each time.
 */
import { describe, expect, it } from 'vitest';
import { applyEvent, type CallEvent, type CallRecord } from '../src/calls.ts';
import { ctiEvents, CtiPayload, endCauseOf } from '../src/cti.ts';
import { viewOf, type CallView } from '../src/outcome.ts';
import { recordingEvents, RecordingCallback, statusEvents, StatusCallback, transcriptionEvents, TranscriptionCallback } from '../src/twilio.ts';
import { ACCOUNT_SID, CALLER, LINE, recordingParams, statusParams, transcriptionParams } from './twilio-fixtures.ts';

const T0 = Date.parse('2026-11-20T09:00:00.000Z');
const at = (seconds: number) => new Date(T0 + seconds * 1000);
const SILENCE_MS = 4 * 3_600_000;
const LATER = at(600);

function cti(fields: Record<string, unknown>, seconds: number): CallEvent[] {
  return ctiEvents(CtiPayload.parse({ callId: 'pbx-call-1', from: '8613800138000', to: '861065529988', direction: 'in', ...fields }), at(seconds));
}
const status = (fields: Parameters<typeof statusParams>[0], seconds: number) => statusEvents(StatusCallback.parse(statusParams(fields, at(seconds))), at(seconds));
const recording = (fields: Parameters<typeof recordingParams>[0], seconds: number) => recordingEvents(RecordingCallback.parse(recordingParams(fields, at(seconds))), at(seconds));
const transcription = (fields: Parameters<typeof transcriptionParams>[0], seconds: number) => transcriptionEvents(TranscriptionCallback.parse(transcriptionParams(fields)), at(seconds));

function* permutations<T>(items: readonly T[]): Generator<T[]> {
  if (items.length <= 1) {
    yield [...items];
    return;
  }
  for (let i = 0; i < items.length; i++) {
    const rest = [...items.slice(0, i), ...items.slice(i + 1)];
    for (const tail of permutations(rest)) yield [items[i]!, ...tail];
  }
}

const fold = (events: readonly CallEvent[]) => events.reduce<CallRecord | undefined>((record, event) => applyEvent(record, event), undefined)!;

interface Row {
  name: string;
  /** Each callback's events; a callback may say two things at once (a hangup that names who answered). */
  callbacks: CallEvent[][];
  expected: Partial<CallView>;
}

const CHILD = 'CA' + 'c'.repeat(32);
const OTHER_CHILD = 'CA' + 'd'.repeat(32);
const REC = 'RE' + '1'.repeat(32);

const ROWS: Row[] = [
  {
    name: 'CTI: an inbound call answered by an agent',
    callbacks: [cti({ event: 'newCall', user: ['Support'] }, 0), cti({ event: 'answer', user: 'Emma Taylor', answeringNumber: '801' }, 12), cti({ event: 'hangup', cause: 'normalClearing', answeringNumber: '801' }, 192)],
    expected: { outcome: 'answered', opensTicket: false, direction: 'inbound', agent: '801', durationSeconds: 180, answeredAt: at(12).toISOString(), endedAt: at(192).toISOString(), startedAt: at(0).toISOString() },
  },
  {
    name: 'CTI: the caller hangs up while it rings (abandoned)',
    callbacks: [cti({ event: 'newCall' }, 0), cti({ event: 'hangup', cause: 'cancel' }, 25)],
    expected: { outcome: 'abandoned', opensTicket: true, startedAt: at(0).toISOString() },
  },
  {
    name: 'CTI: the agents decline (Zammad noAnswer: rejected)',
    callbacks: [cti({ event: 'newCall' }, 0), cti({ event: 'hangup', cause: 'noAnswer' }, 20)],
    expected: { outcome: 'rejected', opensTicket: true },
  },
  {
    name: 'CTI: FreeSWITCH rings out (NO_ANSWER: missed)',
    callbacks: [cti({ event: 'newCall' }, 0), cti({ event: 'hangup', cause: 'NO_ANSWER' }, 30)],
    expected: { outcome: 'missed', opensTicket: true },
  },
  {
    name: 'CTI: a hangup after nobody answered, without a cause of its own, is a missed call',
    callbacks: [cti({ event: 'newCall' }, 0), cti({ event: 'hangup', cause: 'normalClearing' }, 40)],
    expected: { outcome: 'missed', opensTicket: true },
  },
  {
    name: 'CTI: the call reaches the voicemail box',
    callbacks: [cti({ event: 'newCall' }, 0), cti({ event: 'answer', user: ['voicemail'] }, 20), cti({ event: 'hangup', cause: 'normalClearing' }, 60)],
    expected: { outcome: 'voicemail', opensTicket: true },
  },
  {
    name: 'CTI: our agent calls a customer who answers',
    callbacks: [
      cti({ event: 'newCall', direction: 'out', from: '861065529988', to: '13800138000', user: 'Christopher Miller' }, 0),
      cti({ event: 'answer', direction: 'out', from: '861065529988', to: '13800138000', user: 'Christopher Miller' }, 8),
      cti({ event: 'hangup', direction: 'out', from: '861065529988', to: '13800138000', cause: 'normalClearing' }, 68),
    ],
    expected: { outcome: 'answered', opensTicket: false, direction: 'outbound', agent: 'Christopher Miller', durationSeconds: 60 },
  },
  {
    name: 'CTI: our agent calls and nobody answers',
    callbacks: [cti({ event: 'newCall', direction: 'out', from: '861065529988', to: '13800138000' }, 0), cti({ event: 'hangup', direction: 'out', from: '861065529988', to: '13800138000', cause: 'cancel' }, 30)],
    expected: { outcome: 'unanswered', opensTicket: false, direction: 'outbound' },
  },
  {
    name: 'Twilio: an inbound call answered on the dialled agent leg, recorded',
    callbacks: [
      status({ CallSid: CHILD, ParentCallSid: 'parent', Direction: 'outbound-dial', CallStatus: 'ringing', To: '+861065520801' }, 2),
      status({ CallSid: CHILD, ParentCallSid: 'parent', Direction: 'outbound-dial', CallStatus: 'in-progress', To: '+861065520801' }, 10),
      status({ CallSid: CHILD, ParentCallSid: 'parent', Direction: 'outbound-dial', CallStatus: 'completed', To: '+861065520801', CallDuration: '180' }, 190),
      status({ CallStatus: 'completed', CallDuration: '195' }, 195),
      recording({ RecordingSource: 'DialVerb', RecordingDuration: '180' }, 10),
    ],
    expected: { outcome: 'answered', opensTicket: false, agent: '+861065520801', durationSeconds: 180, answeredAt: at(10).toISOString(), parties: { direction: 'inbound', from: CALLER, to: LINE } },
  },
  {
    name: 'Twilio: nobody picks up, the caller leaves a voicemail that is transcribed',
    callbacks: [
      status({ CallSid: CHILD, ParentCallSid: 'parent', Direction: 'outbound-dial', CallStatus: 'no-answer' }, 30),
      status({ CallStatus: 'completed', CallDuration: '75' }, 75),
      recording({ RecordingSource: 'RecordVerb', RecordingDuration: '38' }, 35),
      transcription({ TranscriptionText: 'Hello, my transfer of 500 yuan has not arrived, please call me back.' }, 140),
    ],
    expected: { outcome: 'voicemail', opensTicket: true, durationSeconds: 38, transcript: 'Hello, my transfer of 500 yuan has not arrived, please call me back.', transcriptFailed: false },
  },
  {
    name: 'Twilio: the voicemail transcription fails',
    callbacks: [status({ CallStatus: 'completed', CallDuration: '40' }, 40), recording({ RecordingSource: 'RecordVerb', RecordingDuration: '20' }, 15), transcription({ TranscriptionStatus: 'failed', TranscriptionText: undefined }, 90)],
    expected: { outcome: 'voicemail', opensTicket: true, transcriptFailed: true },
  },
  {
    name: 'Twilio: the agents do not answer (missed)',
    callbacks: [
      status({ CallSid: CHILD, ParentCallSid: 'parent', Direction: 'outbound-dial', CallStatus: 'ringing' }, 1),
      status({ CallSid: CHILD, ParentCallSid: 'parent', Direction: 'outbound-dial', CallStatus: 'no-answer' }, 31),
      status({ CallSid: OTHER_CHILD, ParentCallSid: 'parent', Direction: 'outbound-dial', CallStatus: 'no-answer' }, 31),
      status({ CallStatus: 'completed', CallDuration: '33' }, 33),
    ],
    expected: { outcome: 'missed', opensTicket: true },
  },
  {
    name: 'Twilio: the caller gives up while the agent leg rings (abandoned)',
    callbacks: [status({ CallSid: CHILD, ParentCallSid: 'parent', Direction: 'outbound-dial', CallStatus: 'canceled' }, 12), status({ CallStatus: 'completed', CallDuration: '12' }, 12)],
    expected: { outcome: 'abandoned', opensTicket: true },
  },
  {
    name: 'Twilio: an inbound call refused as busy',
    callbacks: [status({ CallStatus: 'ringing' }, 0), status({ CallStatus: 'busy' }, 1)],
    expected: { outcome: 'rejected', opensTicket: true },
  },
  {
    name: 'Twilio: our outbound API call, answered',
    callbacks: [
      status({ CallStatus: 'initiated', Direction: 'outbound-api', From: LINE, To: CALLER }, 0),
      status({ CallStatus: 'ringing', Direction: 'outbound-api', From: LINE, To: CALLER }, 1),
      status({ CallStatus: 'in-progress', Direction: 'outbound-api', From: LINE, To: CALLER }, 9),
      status({ CallStatus: 'completed', Direction: 'outbound-api', From: LINE, To: CALLER, CallDuration: '51' }, 60),
    ],
    expected: { outcome: 'answered', opensTicket: false, direction: 'outbound', durationSeconds: 51 },
  },
];

describe('the call-state reducer', () => {
  for (const row of ROWS) {
    it(`${row.name}: the same record and view in every order, each callback once or twice`, () => {
      const reference = fold(row.callbacks.flat());
      const expectedView = viewOf(reference, LATER, SILENCE_MS);
      expect(expectedView).toMatchObject(row.expected);
      let orders = 0;
      for (const order of permutations(row.callbacks)) {
        expect(fold(order.flat())).toEqual(reference);
        // Every callback delivered again (a retry), at the end and in between.
        expect(fold([...order, ...order].flat())).toEqual(reference);
        expect(fold(order.flatMap((events) => [...events, ...events]))).toEqual(reference);
        orders++;
      }
      expect(orders).toBe([...Array(row.callbacks.length).keys()].reduce((n, i) => n * (i + 1), 1));
    });
  }

  it('keeps a call open until it ends, reaches voicemail or has been silent too long', () => {
    const ringing = fold(cti({ event: 'newCall' }, 0));
    expect(viewOf(ringing, at(60), SILENCE_MS)).toBeUndefined();
    const answered = applyEvent(ringing, cti({ event: 'answer', user: 'Emma' }, 5)[0]!);
    expect(viewOf(answered, at(60), SILENCE_MS)).toBeUndefined();
    // No hangup ever came: after the silence an unanswered call is a missed call, an answered one a note.
    expect(viewOf(ringing, new Date(T0 + SILENCE_MS), SILENCE_MS)).toMatchObject({ outcome: 'missed', opensTicket: true, closedBySilence: true });
    expect(viewOf(answered, new Date(T0 + 5_000 + SILENCE_MS), SILENCE_MS)).toMatchObject({ outcome: 'answered', opensTicket: false, closedBySilence: true });
    // A voicemail is over as soon as its recording is.
    const voicemail = fold([...status({ CallStatus: 'ringing' }, 0), ...recording({ RecordingSource: 'RecordVerb' }, 20)]);
    expect(viewOf(voicemail, at(60), SILENCE_MS)).toMatchObject({ outcome: 'voicemail' });
    // An in-progress recording is not one yet.
    const recordingStarted = fold([...status({ CallStatus: 'ringing' }, 0), ...recording({ RecordingSource: 'RecordVerb', RecordingStatus: 'in-progress' }, 20)]);
    expect(viewOf(recordingStarted, at(60), SILENCE_MS)).toBeUndefined();
  });

  it('takes an answer from a hangup that names who answered, when the answer event is lost', () => {
    const view = viewOf(fold([...cti({ event: 'newCall' }, 0), ...cti({ event: 'hangup', cause: 'normalClearing', answeringNumber: 'emma@wallet.example' }, 90)]), LATER, SILENCE_MS);
    expect(view).toMatchObject({ outcome: 'answered', agent: 'emma@wallet.example', opensTicket: false });
    expect(view?.durationSeconds).toBeUndefined();
  });

  it('folds a recording reported in progress and completed into one, with the URL and length of either report', () => {
    const record = fold([
      ...recording({ RecordingSource: 'RecordVerb', RecordingStatus: 'in-progress', RecordingDuration: undefined }, 20),
      ...recording({ RecordingSource: 'RecordVerb', RecordingStatus: 'completed', RecordingDuration: '31' }, 20),
    ]);
    expect(viewOf(record, LATER, SILENCE_MS)?.recordings).toEqual([
      { id: REC, source: 'voicemail', status: 'completed', url: `https://api.twilio.com/2010-04-01/Accounts/${ACCOUNT_SID}/Recordings/${REC}`, durationSeconds: 31, startedAt: at(20).toISOString() },
    ]);
  });

  it('reads hangup causes in Zammad and Q.850 names', () => {
    expect(['normalClearing', 'NORMAL_CLEARING', 'busy', 'USER_BUSY', 'cancel', 'ORIGINATOR_CANCEL', 'noAnswer', 'NO_ANSWER', 'CALL_REJECTED', 'congestion', 'notFound', 'forwarded', 'whatever', undefined].map(endCauseOf)).toEqual([
      'completed',
      'completed',
      'busy',
      'busy',
      'canceled',
      'canceled',
      'rejected',
      'no-answer',
      'rejected',
      'failed',
      'failed',
      'forwarded',
      'unknown',
      'unknown',
    ]);
  });
});
