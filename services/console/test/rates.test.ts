import { describe, expect, it } from 'vitest';
import { topicNames } from '@switchboard/schema';
import { ratesFrom, type CounterSample } from '../src/index.ts';

const topics = topicNames('p.');
const sample = (at: number, values: Record<string, number>): CounterSample => ({ at, values: new Map(Object.entries(values)) });
const key = (topic: string, direction: 'in' | 'out') => `${topic}\u001f${direction}`;

describe('ratesFrom', () => {
  it('turns successive counter samples into records per second per topic and direction', () => {
    const rates = ratesFrom(
      [
        sample(0, { [key(topics.inbound, 'out')]: 0, [key(topics.inbound, 'in')]: 0 }),
        sample(2_000, { [key(topics.inbound, 'out')]: 10, [key(topics.inbound, 'in')]: 4 }),
        sample(2_500, { [key(topics.inbound, 'out')]: 10, [key(topics.inbound, 'in')]: 9 }),
      ],
      topics,
    );
    expect(rates.map((r) => r.role)).toEqual(['inbound', 'routed', 'outbound', 'delivery', 'dlq', 'checkpoints', 'ledger']);
    expect(rates[0]).toEqual({ role: 'inbound', topic: 'p.cs.messages.inbound.v1', produced: 10, consumed: 9, producedPerSecond: [5, 0], consumedPerSecond: [2, 10] });
    expect(rates[1]).toMatchObject({ produced: 0, consumed: 0, producedPerSecond: [0, 0], consumedPerSecond: [0, 0] });
  });

  it('never reports a negative rate when a counter goes back, nor divides by a zero interval', () => {
    const rates = ratesFrom(
      [sample(0, { [key(topics.dlq, 'out')]: 7 }), sample(1_000, { [key(topics.dlq, 'out')]: 2 }), sample(1_000, { [key(topics.dlq, 'out')]: 5 })],
      topics,
    );
    expect(rates.find((r) => r.role === 'dlq')!.producedPerSecond).toEqual([0, 0]);
  });

  it('has no rates from fewer than two samples', () => {
    expect(ratesFrom([sample(0, {})], topics)[0]!.producedPerSecond).toEqual([]);
    expect(ratesFrom([], topics)[0]).toMatchObject({ produced: 0, producedPerSecond: [] });
  });
});
