/**
 * Twilio Voice callbacks: their form-encoded parameters, the X-Twilio-Signature check and what each
 * callback says about a call, as CallEvents. The parameters follow Twilio's documentation:
 * - status callbacks: https://www.twilio.com/docs/voice/api/call-resource#statuscallback (CallSid,
 *   ParentCallSid, AccountSid, From, To, Direction, CallStatus, CallDuration, Timestamp, CallerName,
 *   SequenceNumber; `<Dial><Number statusCallbackEvent="initiated ringing answered completed">` reports
 *   the dialled agent's leg with the caller's CallSid as ParentCallSid);
 * - recording status callbacks: https://www.twilio.com/docs/voice/twiml/recording (RecordingSid,
 *   RecordingUrl, RecordingStatus, RecordingDuration, RecordingSource, RecordingStartTime; CallSid "always
 *   refers to the parent leg of a two-leg call");
 * - transcription callbacks: https://www.twilio.com/docs/voice/twiml/record#attributes-transcribe-callback
 *   (TranscriptionSid, TranscriptionText, TranscriptionStatus, RecordingSid, with the call's parameters).
 * The signature is HMAC-SHA1 of the URL Twilio called followed by the POST parameters sorted by name,
 * keyed with the auth token (https://www.twilio.com/docs/usage/webhooks/webhooks-security), checked with
 * the `twilio` package's own `validateRequest`.
 */
import { z } from 'zod';
import twilioWebhooks from 'twilio/lib/webhooks/webhooks.js';
import type { HttpRequest } from '@switchboard/http';
import type { CallEvent, EndCause, Parties } from './calls.ts';

export type FormParams = Record<string, string | string[]>;

/** `a=1&b=2&b=3` as Twilio's validator wants it: a repeated name becomes a list. */
export function formParams(body: Buffer | string): FormParams {
  const params: FormParams = {};
  for (const [name, value] of new URLSearchParams(body.toString())) {
    const known = params[name];
    params[name] = known === undefined ? value : Array.isArray(known) ? [...known, value] : [known, value];
  }
  return params;
}

/** The URL Twilio signed: the public base it was configured with, this path and the query as received. */
export function signedUrl(publicUrl: string, request: Pick<HttpRequest, 'path' | 'query'>): string {
  const query = request.query.toString();
  return `${publicUrl.replace(/\/+$/, '')}${request.path}${query ? `?${query}` : ''}`;
}

export function twilioSignatureValid(authToken: string, request: Pick<HttpRequest, 'headers' | 'path' | 'query'>, publicUrl: string, params: FormParams): boolean {
  const header = request.headers['x-twilio-signature'];
  if (typeof header !== 'string' || header.length === 0) return false;
  return twilioWebhooks.validateRequest(authToken, header, signedUrl(publicUrl, request), params);
}

const sid = (prefix: string) => z.string().regex(new RegExp(`^${prefix}[0-9a-fA-F]{32}$`), `a ${prefix}… SID`);
const text = z.string().optional();
const count = z.coerce.number().int().nonnegative().optional();
const first = (value: unknown) => (Array.isArray(value) ? value[0] : value);
const params = <S extends z.ZodRawShape>(shape: S) => z.preprocess((raw) => Object.fromEntries(Object.entries(raw as object).map(([k, v]) => [k, first(v)])), z.object(shape));

const CALL_STATUSES = ['queued', 'initiated', 'ringing', 'in-progress', 'completed', 'busy', 'no-answer', 'failed', 'canceled'] as const;

const CallParams = {
  CallSid: sid('CA'),
  AccountSid: sid('AC'),
  From: text,
  To: text,
  Direction: text,
  CallerName: text,
};

export const StatusCallback = params({
  ...CallParams,
  CallStatus: z.enum(CALL_STATUSES),
  ParentCallSid: sid('CA').optional(),
  CallDuration: count,
  Timestamp: text,
});
export type StatusCallback = z.infer<typeof StatusCallback>;

export const RecordingCallback = params({
  CallSid: sid('CA'),
  AccountSid: sid('AC'),
  RecordingSid: sid('RE'),
  RecordingUrl: z.url().optional(),
  RecordingStatus: z.enum(['in-progress', 'completed', 'absent', 'failed']),
  RecordingDuration: count,
  RecordingSource: text,
  RecordingStartTime: text,
});
export type RecordingCallback = z.infer<typeof RecordingCallback>;

export const TranscriptionCallback = params({
  ...CallParams,
  TranscriptionSid: sid('TR'),
  TranscriptionStatus: z.enum(['completed', 'failed', 'in-progress']),
  TranscriptionText: text,
  RecordingSid: sid('RE').optional(),
});
export type TranscriptionCallback = z.infer<typeof TranscriptionCallback>;

/** Twilio's RFC 2822 times (`Tue, 21 Nov 2026 09:00:00 +0000`) in ISO, or when it arrived. */
function timeOf(value: string | undefined, arrivedAt: Date): string {
  const parsed = value ? Date.parse(value) : Number.NaN;
  return Number.isNaN(parsed) ? arrivedAt.toISOString() : new Date(parsed).toISOString();
}

function partiesOf(p: { From?: string | undefined; To?: string | undefined; Direction?: string | undefined; CallerName?: string | undefined }): Parties | undefined {
  if (!p.Direction || (p.From === undefined && p.To === undefined)) return undefined;
  const parties: Parties = { direction: p.Direction === 'inbound' ? 'inbound' : 'outbound', from: p.From ?? '', to: p.To ?? '' };
  if (p.CallerName) parties.callerName = p.CallerName;
  return parties;
}

const END_CAUSE: Record<string, EndCause> = { completed: 'completed', busy: 'busy', 'no-answer': 'no-answer', failed: 'failed', canceled: 'canceled' };

/**
 * A status callback as events. Twilio answers every inbound call itself to run its TwiML, so on the
 * caller's own leg "in-progress" only says the call is up; a person answered when a dialled leg (a child
 * call: ParentCallSid, Direction outbound-dial) did. On our own outbound calls the customer answering is
 * the answer.
 */
export function statusEvents(p: StatusCallback, arrivedAt: Date): CallEvent[] {
  const at = timeOf(p.Timestamp, arrivedAt);
  const base = { provider: 'twilio' as const, accountId: p.AccountSid, at };
  if (p.ParentCallSid && p.Direction === 'outbound-dial') {
    const leg = { ...base, callId: p.ParentCallSid };
    const agent = p.To || undefined;
    if (p.CallStatus === 'in-progress') return [{ ...leg, kind: 'answered', ...(agent ? { agent } : {}) }];
    if (p.CallStatus === 'completed') {
      // The leg's end time less its length is when the agent picked up.
      const answeredAt = p.CallDuration !== undefined ? new Date(Date.parse(at) - p.CallDuration * 1000).toISOString() : at;
      return [{ ...leg, at: answeredAt, kind: 'answered', ...(agent ? { agent } : {}), ...(p.CallDuration !== undefined ? { talkSeconds: p.CallDuration } : {}) }];
    }
    const cause = END_CAUSE[p.CallStatus];
    return cause ? [{ ...leg, kind: 'leg-ended', cause }] : [];
  }
  const call = { ...base, callId: p.CallSid };
  const parties = partiesOf(p);
  const cause = END_CAUSE[p.CallStatus];
  if (cause) return [{ ...call, kind: 'ended', cause, ...(p.CallDuration !== undefined ? { durationSeconds: p.CallDuration } : {}), ...(parties ? { parties } : {}) }];
  if (p.CallStatus === 'in-progress' && parties?.direction === 'outbound') return [{ ...call, kind: 'answered', parties }];
  return parties ? [{ ...call, kind: 'offered', parties }] : [];
}

export function recordingEvents(p: RecordingCallback, arrivedAt: Date): CallEvent[] {
  const startedAt = p.RecordingStartTime ? timeOf(p.RecordingStartTime, arrivedAt) : undefined;
  const recording = {
    id: p.RecordingSid,
    // <Record> takes a message from the caller; <Dial record>, <Start><Recording> and the REST API record the call.
    source: p.RecordingSource === 'RecordVerb' ? ('voicemail' as const) : ('call' as const),
    status: p.RecordingStatus,
    ...(p.RecordingUrl ? { url: p.RecordingUrl } : {}),
    ...(p.RecordingDuration !== undefined ? { durationSeconds: p.RecordingDuration } : {}),
    ...(startedAt ? { startedAt } : {}),
  };
  return [{ provider: 'twilio', callId: p.CallSid, accountId: p.AccountSid, at: startedAt ?? arrivedAt.toISOString(), kind: 'recording', recording }];
}

export function transcriptionEvents(p: TranscriptionCallback, arrivedAt: Date): CallEvent[] {
  const parties = partiesOf(p);
  const transcription = {
    id: p.TranscriptionSid,
    status: p.TranscriptionStatus,
    ...(p.RecordingSid ? { recordingId: p.RecordingSid } : {}),
    ...(p.TranscriptionText !== undefined ? { text: p.TranscriptionText } : {}),
  };
  return [{ provider: 'twilio', callId: p.CallSid, accountId: p.AccountSid, at: arrivedAt.toISOString(), kind: 'transcription', transcription, ...(parties ? { parties } : {}) }];
}
