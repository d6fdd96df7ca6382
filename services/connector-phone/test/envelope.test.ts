import { describe, expect, it } from 'vitest';
import { InboundMessage, messageId } from '@switchboard/schema';
import { applyEvent, type CallEvent, type CallRecord } from '../src/calls.ts';
import { nextEnvelope } from '../src/envelope.ts';
import { normalizeCaller, normalizeParty } from '../src/numbers.ts';
import { viewOf } from '../src/outcome.ts';

const T0 = Date.parse('2026-11-20T09:00:00.000Z');
const at = (s: number) => new Date(T0 + s * 1000).toISOString();
const options = { account: 'hotline', region: 'CN' as const, now: new Date(T0 + 3_600_000) };
const parties = { direction: 'inbound' as const, from: '13800138000', to: '010 6552 9988' };
const base = { provider: 'cti' as const, callId: 'c-42' };
const fold = (events: CallEvent[]) => events.reduce<CallRecord | undefined>((r, e) => applyEvent(r, e), undefined)!;
const view = (record: CallRecord) => viewOf(record, options.now, 4 * 3_600_000)!;

describe('numbers', () => {
  it.each([
    ['13800138000', '+8613800138000', '+86 138 0013 8000'],
    ['+86 138 0013 8000', '+8613800138000', '+86 138 0013 8000'],
    ['008613800138000', '+8613800138000', '+86 138 0013 8000'],
    ['010 6552 9988', '+861065529988', '+86 10 6552 9988'],
    ['493055571600', '+493055571600', '+49 30 55571600'],
    ['+1 415 555 2671', '+14155552671', '+1 415 555 2671'],
  ])('%s is %s in E.164', (raw, e164, display) => {
    expect(normalizeCaller(raw, 'CN')).toEqual({ e164, id: e164, display, anonymous: false });
  });

  it('knows withheld numbers, and keeps what is no phone number as written', () => {
    for (const raw of ['anonymous', 'Restricted', '+266696687', '', undefined]) expect(normalizeCaller(raw, 'CN')).toMatchObject({ id: 'anonymous', anonymous: true });
    expect(normalizeCaller('95588', 'CN')).toEqual({ id: '95588', display: '95588', anonymous: false });
    expect(normalizeCaller('client:anna', 'CN')).toMatchObject({ id: 'client:anna', display: 'anna' });
    expect(normalizeParty('801', 'CN')).toBe('801');
    expect(normalizeParty('+861065520801', 'CN')).toBe('+861065520801');
    expect(normalizeParty(' ', 'CN')).toBeUndefined();
  });

  it('uses the configured region for national numbers', () => {
    expect(normalizeCaller('030 55571600', 'DE').e164).toBe('+493055571600');
  });
});

describe('the call as a message', () => {
  const missed = fold([
    { ...base, at: at(0), kind: 'offered', parties },
    { ...base, at: at(30), kind: 'ended', cause: 'canceled', parties },
  ]);

  it('turns a missed inbound call into a ticket-opening message with a deterministic id, the caller in E.164 and a typed call', () => {
    const first = nextEnvelope(missed, view(missed), [], undefined, options)!;
    const message = InboundMessage.parse(first.envelope);
    expect(message).toMatchObject({
      id: messageId('phone', 'hotline', 'cti:c-42'),
      channel: 'phone',
      account: 'hotline',
      externalId: 'cti:c-42',
      conversationKey: '+8613800138000',
      sender: { id: '+8613800138000', phone: '+8613800138000', address: '+86 138 0013 8000' },
      subject: 'Abandoned call from +86 138 0013 8000',
      text: '+86 138 0013 8000 hung up before the call was answered.',
      sentAt: at(0),
      call: { direction: 'inbound', outcome: 'abandoned', startedAt: at(0), endedAt: at(30), line: '+861065529988' },
    });
    expect(message.autoSubmitted).toBeUndefined();
    expect(message.edit).toBeUndefined();
    // Nothing new: nothing to produce.
    expect(nextEnvelope(missed, view(missed), [], first.published, options)).toBeUndefined();
  });

  it('makes an answered call a note that opens no ticket, with who answered and for how long', () => {
    const answered = fold([
      { ...base, at: at(0), kind: 'offered', parties },
      { ...base, at: at(5), kind: 'answered', agent: '801' },
      { ...base, at: at(65), kind: 'ended', cause: 'completed' },
    ]);
    const message = InboundMessage.parse(nextEnvelope(answered, view(answered), [], undefined, options)!.envelope);
    expect(message).toMatchObject({ autoSubmitted: 'call-note', text: 'Call from +86 138 0013 8000, answered by 801 (1:00).', call: { outcome: 'answered', agent: '801', durationSeconds: 60 } });
  });

  it('updates a produced call with an edit whose id follows from its content, and opens a ticket once when a note needs a call back', () => {
    const answered = fold([
      { ...base, at: at(0), kind: 'offered', parties },
      { ...base, at: at(5), kind: 'answered', agent: '801' },
      { ...base, at: at(65), kind: 'ended', cause: 'completed' },
    ]);
    const note = nextEnvelope(answered, view(answered), [], undefined, options)!;
    const recording = { name: 'call-recording-RE1.wav', contentType: 'audio/wav', size: 1_000, sha256: 'c'.repeat(64), storageRef: 'phone/attachments/cc/x' };
    const withRecording = nextEnvelope(answered, view(answered), [recording], note.published, options)!;
    const edit = InboundMessage.parse(withRecording.envelope);
    expect(edit).toMatchObject({ edit: { kind: 'edited', targetId: note.published.messageId }, attachments: [recording], conversationKey: note.envelope.conversationKey, autoSubmitted: 'call-note' });
    expect(nextEnvelope(answered, view(answered), [recording], note.published, options)!.envelope.id).toBe(edit.id);
    expect(nextEnvelope(answered, view(answered), [recording], withRecording.published, options)).toBeUndefined();

    // Transferred to voicemail afterwards: a ticket of its own, once; later changes edit that one.
    const voicemail = applyEvent(answered, { ...base, at: at(70), kind: 'voicemail' });
    const callBack = nextEnvelope(voicemail, view(voicemail), [recording], withRecording.published, options)!;
    expect(callBack.envelope).toMatchObject({ externalId: 'cti:c-42#call-back', subject: 'Voicemail from +86 138 0013 8000' });
    expect(callBack.envelope.autoSubmitted).toBeUndefined();
    expect(callBack.envelope.edit).toBeUndefined();
    expect(callBack.published.opensTicket).toBe(true);
  });

  it('gives a withheld number a conversation of its own call', () => {
    const hidden = fold([
      { ...base, at: at(0), kind: 'offered', parties: { ...parties, from: 'anonymous' } },
      { ...base, at: at(9), kind: 'ended', cause: 'no-answer' },
    ]);
    const message = InboundMessage.parse(nextEnvelope(hidden, view(hidden), [], undefined, options)!.envelope);
    expect(message).toMatchObject({ conversationKey: 'anonymous:cti:c-42', sender: { id: 'anonymous' }, call: { outcome: 'missed' } });
    expect(message.sender.phone).toBeUndefined();
  });
});
