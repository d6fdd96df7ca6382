import { createHash } from 'node:crypto';
import type { CountryCode } from 'libphonenumber-js/max';
import { messageId, type Attachment, type Call, type InboundMessageInput } from '@switchboard/schema';
import type { CallRecord } from './calls.ts';
import { normalizeCaller, normalizeParty, type Caller } from './numbers.ts';
import type { CallView } from './outcome.ts';

export const CHANNEL = 'phone';

/** What was produced for a call, so the next change becomes an edit of it (or, once, a ticket of its own). */
export interface Published {
  messageId: string;
  externalId: string;
  conversationKey: string;
  sender: InboundMessageInput['sender'];
  opensTicket: boolean;
  revision: string;
}

export interface EnvelopeOptions {
  account: string;
  region: CountryCode;
  now: Date;
}

interface Content {
  subject: string;
  text: string;
  attachments: Attachment[];
  call: Call;
}

export function minutes(seconds: number): string {
  return `${Math.floor(seconds / 60)}:${String(seconds % 60).padStart(2, '0')}`;
}

/** Subject and text: the voicemail's transcript when there is one (what the router classifies), else what happened. */
function wording(view: CallView, caller: Caller, agent: string | undefined): { subject: string; text: string } {
  const who = caller.display;
  const length = view.durationSeconds !== undefined ? ` (${minutes(view.durationSeconds)})` : '';
  switch (view.outcome) {
    case 'voicemail': {
      const note = view.transcriptFailed ? ' The transcription failed; listen to the recording.' : view.recordings.length === 0 ? '' : ' Transcript pending.';
      return { subject: `Voicemail from ${who}`, text: view.transcript ?? `Voicemail from ${who}${length}.${view.transcript ? '' : note}` };
    }
    case 'answered':
      return {
        subject: view.direction === 'inbound' ? `Call from ${who}` : `Call to ${who}`,
        text: `${view.direction === 'inbound' ? 'Call from' : 'Call to'} ${who}${agent ? `, answered by ${agent}` : ''}${length}.`,
      };
    case 'missed':
      return { subject: `Missed call from ${who}`, text: `Missed call from ${who}: nobody answered.${view.closedBySilence ? ' (No hangup was reported; the call was closed after a long silence.)' : ''}` };
    case 'abandoned':
      return { subject: `Abandoned call from ${who}`, text: `${who} hung up before the call was answered.` };
    case 'rejected':
      return { subject: `Rejected call from ${who}`, text: `Call from ${who} was rejected (busy or declined).` };
    case 'failed':
      return { subject: `Failed call from ${who}`, text: `Call from ${who} could not be connected.` };
    case 'forwarded':
      return { subject: `Forwarded call from ${who}`, text: `Call from ${who} was forwarded.` };
    case 'unanswered':
      return { subject: `Call to ${who}`, text: `Call to ${who} was not answered.` };
  }
}

function customerOf(view: CallView, region: CountryCode): { caller: Caller; line: string | undefined } {
  const parties = view.parties;
  if (!parties) return { caller: normalizeCaller(undefined, region), line: undefined };
  const [customer, ours] = parties.direction === 'inbound' ? [parties.from, parties.to] : [parties.to, parties.from];
  return { caller: normalizeCaller(customer, region), line: normalizeParty(ours, region) };
}

function contentOf(view: CallView, caller: Caller, line: string | undefined, attachments: Attachment[], region: CountryCode): Content {
  const agent = normalizeParty(view.agent, region);
  const call: Call = { direction: view.direction, outcome: view.outcome, startedAt: view.startedAt };
  if (view.answeredAt) call.answeredAt = view.answeredAt;
  if (view.endedAt) call.endedAt = view.endedAt;
  if (view.durationSeconds !== undefined) call.durationSeconds = view.durationSeconds;
  if (agent) call.agent = agent;
  if (line) call.line = line;
  return { ...wording(view, caller, agent), attachments, call };
}

function revisionOf(content: Content): string {
  return createHash('sha256').update(JSON.stringify(content)).digest('hex');
}

/**
 * The record to produce for the call now, or undefined when what was produced still says it all. The
 * first is the call's message (id from the provider's call id, so a replay gives the same message); a
 * later change is an edit of it, with an id from its content, so producing the same change twice is one
 * edit. A call first reported as answered that turns out to need a call back (a voicemail left after a
 * transfer) gets its own ticket-opening message, once.
 */
export function nextEnvelope(
  record: CallRecord,
  view: CallView,
  attachments: Attachment[],
  previous: Published | undefined,
  options: EnvelopeOptions,
): { envelope: InboundMessageInput; published: Published } | undefined {
  const { caller, line } = customerOf(view, options.region);
  const content = contentOf(view, caller, line, attachments, options.region);
  const revision = revisionOf(content);
  const base = `${record.provider}:${record.callId}`;
  const common = {
    schemaVersion: 1 as const,
    channel: CHANNEL,
    account: options.account,
    receivedAt: options.now.toISOString(),
    meta: { provider: record.provider, callId: record.callId, ...(view.closedBySilence ? { closedBySilence: true } : {}) },
    ...content,
  };
  if (previous && previous.revision === revision) return undefined;
  if (!previous || (view.opensTicket && !previous.opensTicket)) {
    const externalId = previous ? `${base}#call-back` : base;
    const conversationKey = previous?.conversationKey ?? caller.e164 ?? (caller.anonymous ? `anonymous:${base}` : `number:${caller.id}`);
    const sender = previous?.sender ?? { id: caller.id, address: caller.display, ...(view.parties?.callerName ? { name: view.parties.callerName } : {}), ...(caller.e164 ? { phone: caller.e164 } : {}) };
    const id = messageId(CHANNEL, options.account, externalId);
    const envelope: InboundMessageInput = {
      ...common,
      id,
      externalId,
      conversationKey,
      sender,
      sentAt: view.startedAt,
      // An answered call, or one we made, is a note on the conversation: it joins the ticket, opens none.
      ...(view.opensTicket ? {} : { autoSubmitted: 'call-note' }),
    };
    return { envelope, published: { messageId: id, externalId, conversationKey, sender, opensTicket: view.opensTicket, revision } };
  }
  const externalId = `${previous.externalId}#${revision.slice(0, 16)}`;
  const envelope: InboundMessageInput = {
    ...common,
    id: messageId(CHANNEL, options.account, externalId),
    externalId,
    conversationKey: previous.conversationKey,
    sender: previous.sender,
    sentAt: options.now.toISOString(),
    ...(previous.opensTicket ? {} : { autoSubmitted: 'call-note' }),
    edit: { kind: 'edited', targetId: previous.messageId },
  };
  return { envelope, published: { ...previous, revision } };
}
