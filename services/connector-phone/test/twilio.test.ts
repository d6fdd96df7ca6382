/**
 * Twilio Voice callbacks, form-encoded and signed as Twilio signs them, posted to the connector's routes
 * over HTTP; the connector hosted on the real broker; recordings and calls read from a local fake of
 * Twilio's REST API.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveStorageRef } from '@switchboard/connector-sdk';
import { messageId } from '@switchboard/schema';
import { eventually } from '@switchboard/testkit';
import { TWILIO_PATHS } from '../src/index.ts';
import { FakeTwilio, toneWav } from './fake-twilio.ts';
import { Harness, PUBLIC_URL } from './harness.ts';
import { ACCOUNT_SID, AUTH_TOKEN, CALLER, LINE, recordingParams, statusParams, transcriptionParams, twilioSignature } from './twilio-fixtures.ts';

const fake = new FakeTwilio(ACCOUNT_SID, AUTH_TOKEN);
let harness: Harness;
let serial = 0;
/** A fresh call and recording per test, so tests on one topic do not meet. */
function ids() {
  serial++;
  const hex = (n: number) => n.toString(16).padStart(32, '0');
  return { call: `CA${hex(serial)}`, child: `CA${hex(1000 + serial)}`, recording: `RE${hex(serial)}`, transcription: `TR${hex(serial)}` };
}
const now = () => new Date();

beforeAll(async () => {
  await fake.start();
  harness = new Harness(
    {
      account: 'hotline',
      region: 'CN',
      settleMs: 300,
      silenceMs: 3_600_000,
      twilio: { authToken: AUTH_TOKEN, publicUrl: PUBLIC_URL, apiBase: fake.base, format: 'wav', maxBytes: 1024 * 1024 },
    },
    { retryMs: 200 },
  );
  await harness.setup();
}, 60_000);

afterAll(async () => {
  await harness?.teardown();
  await fake.stop();
});

describe('Twilio callbacks', () => {
  it('answers 401 to a callback without a signature, with a wrong one, signed for another URL or altered after signing', async () => {
    const { call } = ids();
    const params = statusParams({ CallSid: call, CallStatus: 'no-answer' }, now());
    const path = TWILIO_PATHS.status;
    expect((await harness.postTwilio(path, params, null)).status).toBe(401);
    expect((await harness.postTwilio(path, params, 'bm90IGEgc2lnbmF0dXJl')).status).toBe(401);
    expect((await harness.postTwilio(path, params, twilioSignature('0'.repeat(32), `${PUBLIC_URL}${path}`, params))).status).toBe(401);
    expect((await harness.postTwilio(path, params, twilioSignature(AUTH_TOKEN, `${PUBLIC_URL}${TWILIO_PATHS.recording}`, params))).status).toBe(401);
    const signed = twilioSignature(AUTH_TOKEN, `${PUBLIC_URL}${path}`, params);
    expect((await harness.postTwilio(path, { ...params, From: '+8613900000000' }, signed)).status).toBe(401);
    // The same callback correctly signed is taken.
    expect((await harness.postTwilio(path, params)).status).toBe(204);
    const [missed] = await harness.callMessages(call, (ms) => ms.length >= 1);
    expect(missed).toMatchObject({ call: { outcome: 'missed' }, sender: { phone: CALLER } });
  });

  it('keeps a signed callback it cannot read in the dead-letter topic, with the reason and its bytes, and answers 400', async () => {
    const params = statusParams({ CallStatus: 'ringing', CallSid: 'not-a-call-sid' }, now());
    const response = await harness.postTwilio(TWILIO_PATHS.status, params);
    expect(response.status).toBe(400);
    expect(((await response.json()) as { error: string }).error).toMatch(/CallSid/);
    await eventually(async () => (await harness.deadLetters()).some((d) => d.id === 'phone/twilio/not-a-call-sid'), 20_000, 'the dead letter');
    const letter = (await harness.deadLetters()).find((d) => d.id === 'phone/twilio/not-a-call-sid')!;
    expect(letter.reason).toMatch(/^invalid Twilio status callback: CallSid/);
    expect(Buffer.from(letter.originalValue, 'base64').toString()).toBe(new URLSearchParams(params).toString());
  });

  it('turns a voicemail into a ticket-opening message with its recording, and its transcript into an edit the router classifies', async () => {
    const { call, child, recording, transcription } = ids();
    const audio = toneWav(2);
    fake.addRecording(recording, audio);
    const t0 = Date.now();
    const at = (s: number) => new Date(t0 + s * 1000);
    expect((await harness.postTwilio(TWILIO_PATHS.status, statusParams({ CallSid: child, ParentCallSid: call, Direction: 'outbound-dial', CallStatus: 'no-answer' }, at(25)))).status).toBe(204);
    expect((await harness.postTwilio(TWILIO_PATHS.recording, recordingParams({ CallSid: call, RecordingSid: recording, RecordingUrl: fake.recordingUrl(recording), RecordingDuration: '2' }, at(30)))).status).toBe(204);
    expect((await harness.postTwilio(TWILIO_PATHS.status, statusParams({ CallSid: call, CallStatus: 'completed', CallDuration: '40', CallerName: 'WANG FANG' }, at(40)))).status).toBe(204);

    const [voicemail] = await harness.callMessages(call, (ms) => ms.length >= 1);
    expect(voicemail).toMatchObject({
      id: messageId('phone', 'hotline', `twilio:${call}`),
      channel: 'phone',
      conversationKey: CALLER,
      sender: { id: CALLER, phone: CALLER, name: 'WANG FANG' },
      subject: 'Voicemail from +86 138 0013 8000',
      text: 'Voicemail from +86 138 0013 8000 (0:02). Transcript pending.',
      call: { direction: 'inbound', outcome: 'voicemail', durationSeconds: 2, line: LINE },
    });
    expect(voicemail!.autoSubmitted).toBeUndefined();
    const [attachment] = voicemail!.attachments;
    expect(attachment).toMatchObject({ name: `voicemail-${recording}.wav`, contentType: 'audio/wav', size: audio.length, sha256: createHash('sha256').update(audio).digest('hex') });
    // The bytes are in the attachment store, where the gateway finds them from the connectors' data folder.
    const stored = readFileSync(resolveStorageRef(harness.dataDir, attachment!.storageRef!)!);
    expect(stored.equals(audio)).toBe(true);
    expect(fake.requests.filter((r) => r.path.endsWith(`${recording}.wav`)).every((r) => r.authorized)).toBe(true);

    const transcript = 'My card was charged twice for the same order, please call me back.';
    expect((await harness.postTwilio(TWILIO_PATHS.transcription, transcriptionParams({ CallSid: call, RecordingSid: recording, TranscriptionSid: transcription, TranscriptionText: transcript }))).status).toBe(204);
    const messages = await harness.callMessages(call, (ms) => ms.length >= 2);
    expect(messages).toHaveLength(2);
    expect(messages[1]).toMatchObject({ text: transcript, edit: { kind: 'edited', targetId: voicemail!.id }, attachments: [attachment], conversationKey: CALLER });
    // Twilio sending the transcription again changes nothing.
    await harness.postTwilio(TWILIO_PATHS.transcription, transcriptionParams({ CallSid: call, RecordingSid: recording, TranscriptionSid: transcription, TranscriptionText: transcript }));
    await new Promise((r) => setTimeout(r, 1_000));
    expect((await harness.inbound()).filter((m) => m.meta.callId === call)).toHaveLength(2);
  });

  it('notes an answered call on the conversation without a ticket, then adds its recording once Twilio has it', async () => {
    const { call, child, recording } = ids();
    fake.addRecording(recording, toneWav(1), 2);
    const t0 = Date.now();
    const at = (s: number) => new Date(t0 + s * 1000);
    const agentLeg = { CallSid: child, ParentCallSid: call, Direction: 'outbound-dial', To: '+861065520801' };
    await harness.postTwilio(TWILIO_PATHS.status, statusParams({ ...agentLeg, CallStatus: 'ringing' }, at(2)));
    await harness.postTwilio(TWILIO_PATHS.status, statusParams({ ...agentLeg, CallStatus: 'in-progress' }, at(6)));
    await harness.postTwilio(TWILIO_PATHS.status, statusParams({ ...agentLeg, CallStatus: 'completed', CallDuration: '95' }, at(101)));
    await harness.postTwilio(TWILIO_PATHS.status, statusParams({ CallSid: call, CallStatus: 'completed', CallDuration: '103' }, at(103)));
    await harness.postTwilio(TWILIO_PATHS.recording, recordingParams({ CallSid: call, RecordingSid: recording, RecordingUrl: fake.recordingUrl(recording), RecordingSource: 'DialVerb', RecordingDuration: '95' }, at(6)));

    // The recording answers 404 twice (still processing): the note goes out without it, an edit adds it.
    const messages = await harness.callMessages(call, (ms) => ms.length >= 2);
    expect(messages[0]).toMatchObject({ autoSubmitted: 'call-note', attachments: [], call: { outcome: 'answered', agent: '+861065520801', durationSeconds: 95 }, text: 'Call from +86 138 0013 8000, answered by +861065520801 (1:35).' });
    expect(messages[1]).toMatchObject({ edit: { targetId: messages[0]!.id }, attachments: [{ name: `call-recording-${recording}.wav`, contentType: 'audio/wav' }] });
  });

  it("asks Twilio's Call resource who called when a voicemail arrives without any status callback", async () => {
    const { call, recording } = ids();
    fake.addRecording(recording, toneWav(1));
    fake.calls.set(call, { sid: call, from: '+8613911112222', to: LINE, direction: 'inbound', status: 'completed', duration: 30, startTime: new Date(Date.now() - 30_000), endTime: new Date() });
    await harness.postTwilio(TWILIO_PATHS.recording, recordingParams({ CallSid: call, RecordingSid: recording, RecordingUrl: fake.recordingUrl(recording), RecordingDuration: '9' }, now()));
    const [voicemail] = await harness.callMessages(call, (ms) => ms.length >= 1);
    expect(voicemail).toMatchObject({ conversationKey: '+8613911112222', sender: { phone: '+8613911112222' }, call: { outcome: 'voicemail', line: LINE } });
    expect(fake.requests.some((r) => r.path.endsWith(`Calls/${call}.json`) && r.authorized)).toBe(true);
  });

  it('refuses a recording URL that is not on the Twilio API, so the auth token goes nowhere else', async () => {
    const { call, recording } = ids();
    await harness.postTwilio(TWILIO_PATHS.status, statusParams({ CallSid: call, CallStatus: 'completed', CallDuration: '20' }, now()));
    await harness.postTwilio(TWILIO_PATHS.recording, recordingParams({ CallSid: call, RecordingSid: recording, RecordingUrl: `http://127.0.0.1:9/2010-04-01/Accounts/${ACCOUNT_SID}/Recordings/${recording}` }, now()));
    const [voicemail] = await harness.callMessages(call, (ms) => ms.length >= 1);
    expect(voicemail).toMatchObject({ attachments: [], call: { outcome: 'voicemail' } });
  });

  it('keeps callbacks it answered across a restart and produces the call afterwards, once', async () => {
    const { call } = ids();
    await harness.postTwilio(TWILIO_PATHS.status, statusParams({ CallSid: call, CallStatus: 'ringing' }, now()));
    await harness.postTwilio(TWILIO_PATHS.status, statusParams({ CallSid: call, CallStatus: 'busy' }, now()));
    // Stopped inside the settle time: nothing was produced yet, but both callbacks were answered.
    await harness.stop();
    expect((await harness.inbound()).filter((m) => m.meta.callId === call)).toHaveLength(0);
    await harness.start();
    const [rejected] = await harness.callMessages(call, (ms) => ms.length >= 1);
    expect(rejected).toMatchObject({ call: { outcome: 'rejected' }, subject: 'Rejected call from +86 138 0013 8000' });
    await harness.stop();
    await harness.start();
    await new Promise((r) => setTimeout(r, 1_000));
    expect((await harness.inbound()).filter((m) => m.meta.callId === call)).toHaveLength(1);
  });
});
