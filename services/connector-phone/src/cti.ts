/**
 * The generic CTI push API for PBXs, in the shape of Zammad's (docs.zammad.org, "Generic CTI": the
 * newCall, answer and hangup events; `callId`, `from`, `to`, `direction` in/out, `user`/`user[]`, `queue`,
 * `cause`, `answeringNumber`), so a PBX integration written for it (Asterisk, FreeSWITCH, 3CX, sipgate-like
 * vendors) can point at `/webhooks/cti/<token>` unchanged. Bodies come as JSON, form-urlencoded or
 * multipart form data, as Zammad accepts them.
 */
import { z } from 'zod';
import type { CallEvent, EndCause, Parties } from './calls.ts';

/**
 * Hangup causes: Zammad's names (normalClearing, busy, cancel, noAnswer: "the called party rejected the
 * call", congestion, notFound, forwarded), and the Q.850 names FreeSWITCH and Asterisk integrations pass
 * on as they are (NORMAL_CLEARING, USER_BUSY, ORIGINATOR_CANCEL, NO_ANSWER: rang out, CALL_REJECTED, …).
 */
const ZAMMAD_CAUSES: Record<string, EndCause> = {
  normalclearing: 'completed',
  busy: 'busy',
  cancel: 'canceled',
  noanswer: 'rejected',
  congestion: 'failed',
  notfound: 'failed',
  forwarded: 'forwarded',
};
const Q850_CAUSES: Record<string, EndCause> = {
  NORMAL_CLEARING: 'completed',
  USER_BUSY: 'busy',
  ORIGINATOR_CANCEL: 'canceled',
  NO_ANSWER: 'no-answer',
  NO_USER_RESPONSE: 'no-answer',
  CALL_REJECTED: 'rejected',
  NORMAL_CIRCUIT_CONGESTION: 'failed',
  UNALLOCATED_NUMBER: 'failed',
  NO_ROUTE_DESTINATION: 'failed',
  DESTINATION_OUT_OF_ORDER: 'failed',
};

export function endCauseOf(cause: string | undefined): EndCause {
  if (!cause?.trim()) return 'unknown';
  const given = cause.trim();
  return Q850_CAUSES[given] ?? ZAMMAD_CAUSES[given.replace(/[^a-z]/gi, '').toLowerCase()] ?? 'unknown';
}

const nonEmpty = z.string().trim().min(1);
const users = z
  .union([z.string(), z.array(z.string())])
  .optional()
  .transform((u) => (u === undefined ? [] : (Array.isArray(u) ? u : [u]).map((s) => s.trim()).filter(Boolean)));

export const CtiPayload = z.object({
  event: z.enum(['newCall', 'answer', 'hangup']),
  callId: nonEmpty.max(250),
  from: z.string().trim().default(''),
  to: z.string().trim().default(''),
  direction: z.enum(['in', 'out'], 'either "in" or "out"'),
  user: users,
  queue: z.string().optional(),
  cause: z.string().optional(),
  answeringNumber: z.string().trim().optional(),
});
export type CtiPayload = z.infer<typeof CtiPayload>;

/** The body's fields, whatever its content type; `user[]` and repeated names become lists. */
export async function ctiFields(rawBody: Buffer, contentType: string | undefined): Promise<Record<string, unknown>> {
  const type = (contentType ?? '').toLowerCase();
  if (type.includes('application/json') || (!type && rawBody.toString().trimStart().startsWith('{'))) return JSON.parse(rawBody.toString('utf8')) as Record<string, unknown>;
  // The fetch API's parser reads urlencoded and multipart bodies alike (Zammad's examples use both).
  const form = await new Response(new Uint8Array(rawBody), { headers: { 'content-type': contentType || 'application/x-www-form-urlencoded' } }).formData();
  const fields: Record<string, unknown> = {};
  form.forEach((value, rawName) => {
    if (typeof value !== 'string') return;
    const name = rawName.replace(/\[\]$/, '');
    const known = fields[name];
    fields[name] = known === undefined ? (rawName.endsWith('[]') ? [value] : value) : [...(Array.isArray(known) ? known : [known]), value];
  });
  return fields;
}

/** Zammad treats a call answered by the user "voicemail" as one that reached the mailbox. */
const VOICEMAIL = /^voice ?mail$/i;

export function ctiEvents(payload: CtiPayload, arrivedAt: Date): CallEvent[] {
  const at = arrivedAt.toISOString();
  const parties: Parties = { direction: payload.direction === 'in' ? 'inbound' : 'outbound', from: payload.from, to: payload.to };
  const base = { provider: 'cti' as const, callId: payload.callId, at, parties };
  const agent = payload.answeringNumber || payload.user.join(', ') || undefined;
  switch (payload.event) {
    case 'newCall':
      return [{ ...base, kind: 'offered' }];
    case 'answer':
      if (payload.user.some((u) => VOICEMAIL.test(u)) || (payload.answeringNumber && VOICEMAIL.test(payload.answeringNumber))) return [{ ...base, kind: 'voicemail' }];
      return [{ ...base, kind: 'answered', ...(agent ? { agent } : {}) }];
    case 'hangup': {
      const cause = endCauseOf(payload.cause);
      const ended: CallEvent = { ...base, kind: 'ended', cause };
      // A hangup after a conversation that names who answered proves the answer, even when the answer
      // event itself is late or lost; when it was answered is not known from it.
      if (cause === 'completed' && payload.answeringNumber) return [ended, { ...base, kind: 'answered', agent: payload.answeringNumber, timeKnown: false }];
      return [ended];
    }
  }
}
