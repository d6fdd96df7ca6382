/**
 * pnpm bench [--seconds N]: classifications per second on one core; the last line is {"classifierPerSec": …, "wallPerSec": …, "baselineNsPerElement": …}.
 * pnpm bench --against <git revision> [--rounds N]: side by side with another revision's classifier (scripts/bench-against.ts).
 */
import { parseArgs } from 'node:util';
import { BENCH_MESSAGES, benchClassifier } from '../src/bench.ts';
import { benchAgainst } from './bench-against.ts';

const { values } = parseArgs({ options: { seconds: { type: 'string' }, against: { type: 'string' }, rounds: { type: 'string', default: '10' } } });
if (values.against !== undefined) {
  await benchAgainst(values.against, Number(values.rounds), Number(values.seconds ?? 1));
} else {
  const seconds = Number(values.seconds ?? 5);
  const averageLength = Math.round(BENCH_MESSAGES.reduce((sum, message) => sum + message.length, 0) / BENCH_MESSAGES.length);
  const { perSec, wallPerSec, baselineNsPerElement } = benchClassifier({ seconds });
  console.log(
    `${perSec} classifications per CPU-second, ${wallPerSec} per wall-clock second, over ${seconds}s on one core ` +
      `(${BENCH_MESSAGES.length} messages, ${averageLength} characters on average; plain typed-array loop ${baselineNsPerElement} ns/element)`,
  );
  console.log(JSON.stringify({ classifierPerSec: perSec, wallPerSec, baselineNsPerElement }));
}
