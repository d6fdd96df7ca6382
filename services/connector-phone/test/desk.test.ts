/**
 * The call desk over a real journal folder, on a clock the test moves: a call with no hangup is closed
 * after its silence, a produced call is removed after the retention, one not produced is kept and
 * produced when the desk starts again. The context records what would go to Kafka (the hosted path is
 * covered by twilio.test.ts and cti.test.ts on the broker).
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { ConnectorContext } from '@switchboard/connector-sdk';
import { createLogger } from '@switchboard/runtime';
import { InboundMessage, type InboundMessageInput } from '@switchboard/schema';
import { eventually } from '@switchboard/testkit';
import type { CallEvent } from '../src/calls.ts';
import { CallDesk } from '../src/desk.ts';
import { CallJournal } from '../src/journal.ts';

const HOUR = 3_600_000;

function deskAt(clock: { now: number }, dataDir = mkdtempSync(join(tmpdir(), 'sb-desk-'))) {
  const emitted: InboundMessage[] = [];
  const context = {
    dataDir,
    logger: createLogger('desk-test'),
    signal: new AbortController().signal,
    emit: async (messages: InboundMessageInput[]) => void emitted.push(...messages.map((m) => InboundMessage.parse(m))),
  } as unknown as ConnectorContext;
  const journal = new CallJournal(dataDir);
  const desk = new CallDesk(journal, context, { account: 'hotline', region: 'CN', settleMs: 20, silenceMs: 2 * HOUR }, undefined, { retryMs: 50, retentionMs: 24 * HOUR, now: () => new Date(clock.now) });
  return { desk, journal, emitted, dataDir };
}

const offered = (callId: string, at: number): CallEvent => ({ provider: 'cti', callId, at: new Date(at).toISOString(), kind: 'offered', parties: { direction: 'inbound', from: '13800138000', to: '01065529988' } });
const ended = (callId: string, at: number): CallEvent => ({ provider: 'cti', callId, at: new Date(at).toISOString(), kind: 'ended', cause: 'canceled' });

describe('the call desk', () => {
  it('closes a call whose hangup never came once it has been silent long enough', async () => {
    const clock = { now: Date.parse('2026-11-20T09:00:00Z') };
    const { desk, emitted } = deskAt(clock);
    await desk.accept([offered('lost-hangup', clock.now)]);
    await new Promise((r) => setTimeout(r, 200));
    expect(emitted).toEqual([]);
    // Two hours later the desk looks again (the test restarts it rather than waiting for the timer).
    clock.now += 2 * HOUR;
    await desk.resume();
    await eventually(() => emitted.length === 1, 5_000, 'the call closed by its silence');
    expect(emitted[0]).toMatchObject({ call: { outcome: 'missed' }, meta: { closedBySilence: true } });
    expect(emitted[0]!.autoSubmitted).toBeUndefined();
    await desk.stop();
  });

  it('removes produced calls after the retention and produces the others when it starts again', async () => {
    const clock = { now: Date.parse('2026-11-20T09:00:00Z') };
    const first = deskAt(clock);
    await first.desk.accept([offered('produced', clock.now), ended('produced', clock.now + 5_000)]);
    await eventually(() => first.emitted.length === 1, 5_000, 'the produced call');
    await first.desk.accept([offered('pending', clock.now)]);
    await first.desk.stop();
    expect((await first.journal.all()).map((e) => e.key).sort()).toEqual(['cti:pending', 'cti:produced']);

    clock.now += 25 * HOUR;
    const second = deskAt(clock, first.dataDir);
    await second.desk.prune();
    expect((await second.journal.all()).map((e) => e.key)).toEqual(['cti:pending']);
    await second.desk.resume();
    await eventually(() => second.emitted.length === 1, 5_000, 'the pending call closed after its silence');
    expect(second.emitted[0]).toMatchObject({ externalId: 'cti:pending', call: { outcome: 'missed' } });
    await second.desk.stop();
  });
});
