/**
 * What the connector asks Twilio's REST API: a recording's audio and, when a call's parties are not
 * known from its callbacks, the Call resource. Both with HTTP Basic auth (Account SID and auth token),
 * and only on the configured API base: a RecordingUrl anywhere else is refused, so the auth token never
 * travels to another host.
 * - Recording media: https://www.twilio.com/docs/voice/api/recording#fetch-a-recording-media-file
 *   (`RecordingUrl` + `.wav` or `.mp3`; 404 while the file is still being processed).
 * - Call resource: https://www.twilio.com/docs/voice/api/call-resource#fetch-a-call-resource
 *   (`GET /2010-04-01/Accounts/{AccountSid}/Calls/{CallSid}.json`: from, to, direction, status, duration).
 */
import { z } from 'zod';
import type { CallEvent, EndCause } from './calls.ts';
import { SwitchboardError } from '@switchboard/runtime';

export interface TwilioApiOptions {
  apiBase: string;
  authToken: string;
  format: 'wav' | 'mp3';
  maxBytes: number;
  timeoutMs: number;
}

/** `retriable`: worth trying again later (the file is not ready, the API is busy or unreachable). */
export class TwilioApiError extends SwitchboardError {
  override readonly name = 'TwilioApiError';
  constructor(message: string, retriable: boolean) {
    super(message, { retriable });
  }
}

const CONTENT_TYPES = { wav: 'audio/wav', mp3: 'audio/mpeg' } as const;

function authorization(accountSid: string, authToken: string): string {
  return `Basic ${Buffer.from(`${accountSid}:${authToken}`).toString('base64')}`;
}

async function get(url: string, accountSid: string, options: TwilioApiOptions): Promise<Response> {
  let response: Response;
  try {
    response = await fetch(url, { headers: { authorization: authorization(accountSid, options.authToken) }, signal: AbortSignal.timeout(options.timeoutMs) });
  } catch (error) {
    throw new TwilioApiError(`Twilio API unreachable: ${(error as Error).message}`, true);
  }
  if (!response.ok) {
    await response.body?.cancel();
    throw new TwilioApiError(`Twilio answered ${response.status} for ${new URL(url).pathname}`, response.status === 404 || response.status === 429 || response.status >= 500);
  }
  return response;
}

/** The audio of a recording, its bytes and content type; refused past `maxBytes`. */
export async function fetchRecording(recordingUrl: string, accountSid: string, options: TwilioApiOptions): Promise<{ bytes: Buffer; contentType: string }> {
  const base = new URL(options.apiBase);
  const url = new URL(recordingUrl);
  if (url.origin !== base.origin) throw new TwilioApiError(`recording URL ${url.origin} is not on the Twilio API (${base.origin})`, false);
  const response = await get(`${recordingUrl.replace(/\.(wav|mp3|json)$/, '')}.${options.format}`, accountSid, options);
  const declared = Number(response.headers.get('content-length') ?? 0);
  if (declared > options.maxBytes) {
    await response.body?.cancel();
    throw new TwilioApiError(`recording of ${declared} bytes is larger than PHONE_RECORDING_MAX_BYTES`, false);
  }
  const bytes = Buffer.from(await response.arrayBuffer());
  if (bytes.length > options.maxBytes) throw new TwilioApiError(`recording of ${bytes.length} bytes is larger than PHONE_RECORDING_MAX_BYTES`, false);
  const served = response.headers.get('content-type')?.split(';')[0]?.trim().toLowerCase();
  // Twilio serves WAV as audio/x-wav; browsers and the attachment store know it as audio/wav.
  const contentType = !served || served === 'application/octet-stream' ? CONTENT_TYPES[options.format] : served === 'audio/x-wav' ? 'audio/wav' : served;
  return { bytes, contentType };
}

const CallResource = z.object({
  sid: z.string(),
  from: z.string().nullable().optional(),
  to: z.string().nullable().optional(),
  direction: z.string().nullable().optional(),
  status: z.string(),
  duration: z.string().nullable().optional(),
  caller_name: z.string().nullable().optional(),
  end_time: z.string().nullable().optional(),
});

const ENDED: Record<string, EndCause> = { completed: 'completed', busy: 'busy', 'no-answer': 'no-answer', failed: 'failed', canceled: 'canceled' };

/** The call's parties (and its end, when it is over) from the Call resource, as events. */
export async function callEvents(callSid: string, accountSid: string, options: TwilioApiOptions, now: Date): Promise<CallEvent[]> {
  const url = `${options.apiBase.replace(/\/+$/, '')}/2010-04-01/Accounts/${accountSid}/Calls/${callSid}.json`;
  const call = CallResource.parse(await (await get(url, accountSid, options)).json());
  const parties = { direction: call.direction === 'inbound' ? ('inbound' as const) : ('outbound' as const), from: call.from ?? '', to: call.to ?? '', ...(call.caller_name ? { callerName: call.caller_name } : {}) };
  const base = { provider: 'twilio' as const, callId: callSid, accountId: accountSid };
  const at = call.end_time && !Number.isNaN(Date.parse(call.end_time)) ? new Date(Date.parse(call.end_time)).toISOString() : now.toISOString();
  const cause = ENDED[call.status];
  if (!cause) return [{ ...base, at, kind: 'offered', parties }];
  return [{ ...base, at, kind: 'ended', cause, parties, ...(call.duration ? { durationSeconds: Number(call.duration) } : {}) }];
}
