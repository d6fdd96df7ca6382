import { describe, expect, it } from 'vitest';
import { runFaults } from './run.ts';

/**
 * The short fault suite inside `pnpm test`: a few hundred messages, the process kills, the poison, and
 * two replicas of a connector sharing outbound (correctness, worth every run). The restart after
 * 10,000 replies stays in `pnpm faults`: it compares start times, which a few hundred cannot show.
 */
describe('fault suite (short)', () => {
  it('loses and duplicates nothing when the router, the sink or the broker is killed, the sink stopped, poison fed, or two connector replicas share outbound', async () => {
    const result = await runFaults({ messages: 300, only: ['router-kill9', 'sink-kill9', 'kafka-kill9', 'sink-sigterm', 'poison', 'outbound-replicas'] });
    for (const scenario of result.scenarios) {
      expect(scenario.problems, scenario.name).toEqual([]);
      expect(scenario.stored, scenario.name).toBe(scenario.sent);
      expect(scenario.dlq, scenario.name).toBe(scenario.expectedDlq);
    }
    expect(result.lost).toBe(0);
    expect(result.duplicated).toBe(0);
  }, 600_000);
});
