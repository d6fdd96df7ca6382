/**
 * Twilio's callback parameters as it posts them (form fields, all strings), after the parameter lists
 * of https://www.twilio.com/docs/voice/api/call-resource#statuscallback,
 * https://www.twilio.com/docs/voice/twiml/recording (recordingStatusCallback) and
 * https://www.twilio.com/docs/voice/twiml/record (transcribeCallback); and how Twilio signs them.
 */
import { createHmac } from 'node:crypto';

export const ACCOUNT_SID = 'AC' + 'a1'.repeat(16);
export const AUTH_TOKEN = '7f3c9a5e1b2d4f60a8c7e6d5b4a39281';
export const PARENT_SID = 'CA' + 'b2'.repeat(16);
export const RECORDING_SID = 'RE' + '1'.repeat(32);
export const TRANSCRIPTION_SID = 'TR' + '9'.repeat(32);
/** A mobile number in Beijing, and our hotline. */
export const CALLER = '+8613800138000';
export const LINE = '+861065529988';

/** RFC 2822, as Twilio writes Timestamp and RecordingStartTime. */
export const rfc2822 = (date: Date) => date.toUTCString().replace('GMT', '+0000');

type Fields = Record<string, string | undefined>;
const present = (fields: Fields): Record<string, string> => Object.fromEntries(Object.entries(fields).filter((e): e is [string, string] => e[1] !== undefined));

let sequence = 0;

/** A status callback; `ParentCallSid: 'parent'` stands for this fixture's parent call. */
export function statusParams(overrides: Fields, at: Date): Record<string, string> {
  const child = overrides.ParentCallSid !== undefined;
  const fields: Fields = {
    AccountSid: ACCOUNT_SID,
    ApiVersion: '2010-04-01',
    CallSid: PARENT_SID,
    CallStatus: 'completed',
    Called: LINE,
    Caller: CALLER,
    Direction: 'inbound',
    From: CALLER,
    FromCountry: 'CN',
    To: LINE,
    ToCountry: 'CN',
    CallbackSource: 'call-progress-events',
    SequenceNumber: String(sequence++),
    Timestamp: rfc2822(at),
    ...(child ? { From: LINE, To: '+861065520800' } : {}),
    ...overrides,
  };
  if (fields.ParentCallSid === 'parent') fields.ParentCallSid = PARENT_SID;
  if (fields.CallStatus === 'completed' && fields.CallDuration !== undefined) fields.Duration = String(Math.ceil(Number(fields.CallDuration) / 60));
  return present(fields);
}

export function recordingParams(overrides: Fields, at: Date): Record<string, string> {
  return present({
    AccountSid: ACCOUNT_SID,
    CallSid: PARENT_SID,
    RecordingSid: RECORDING_SID,
    RecordingUrl: `https://api.twilio.com/2010-04-01/Accounts/${ACCOUNT_SID}/Recordings/${overrides.RecordingSid ?? RECORDING_SID}`,
    RecordingStatus: 'completed',
    RecordingDuration: '12',
    RecordingChannels: '1',
    RecordingSource: 'RecordVerb',
    RecordingStartTime: rfc2822(at),
    RecordingTrack: 'both',
    ...overrides,
  });
}

export function transcriptionParams(overrides: Fields): Record<string, string> {
  return present({
    AccountSid: ACCOUNT_SID,
    ApiVersion: '2010-04-01',
    CallSid: PARENT_SID,
    CallStatus: 'completed',
    Direction: 'inbound',
    From: CALLER,
    To: LINE,
    Called: LINE,
    Caller: CALLER,
    RecordingSid: RECORDING_SID,
    RecordingUrl: `https://api.twilio.com/2010-04-01/Accounts/${ACCOUNT_SID}/Recordings/${RECORDING_SID}`,
    TranscriptionSid: TRANSCRIPTION_SID,
    TranscriptionStatus: 'completed',
    TranscriptionText: 'Please call me back about my refund.',
    TranscriptionType: 'fast',
    TranscriptionUrl: `https://api.twilio.com/2010-04-01/Accounts/${ACCOUNT_SID}/Recordings/${RECORDING_SID}/Transcriptions/${TRANSCRIPTION_SID}`,
    ...overrides,
  });
}

/**
 * X-Twilio-Signature as Twilio computes it, written here from its documented recipe (not with the
 * package the connector checks it with): base64 HMAC-SHA1, keyed with the auth token, of the full URL
 * followed by each POST parameter's name and value, sorted by name.
 */
export function twilioSignature(authToken: string, url: string, params: Record<string, string>): string {
  const data = Object.keys(params)
    .sort()
    .reduce((acc, name) => acc + name + params[name], url);
  return createHmac('sha1', authToken).update(Buffer.from(data, 'utf8')).digest('base64');
}
