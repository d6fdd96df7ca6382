/** pnpm bench [--seconds N]: classifications per second on one core; the last line is {"classifierPerSec": …, "wallPerSec": …, "baselineNsPerElement": …}. */
import { parseArgs } from 'node:util';
import { BENCH_MESSAGES, benchClassifier } from '../src/bench.ts';

const { values } = parseArgs({ options: { seconds: { type: 'string', default: '5' } } });
const seconds = Number(values.seconds);
const averageLength = Math.round(BENCH_MESSAGES.reduce((sum, message) => sum + message.length, 0) / BENCH_MESSAGES.length);
const { perSec, wallPerSec, baselineNsPerElement } = benchClassifier({ seconds });
console.log(
  `${perSec} classifications per CPU-second, ${wallPerSec} per wall-clock second, over ${seconds}s on one core ` +
    `(${BENCH_MESSAGES.length} messages, ${averageLength} characters on average; plain typed-array loop ${baselineNsPerElement} ns/element)`,
);
console.log(JSON.stringify({ classifierPerSec: perSec, wallPerSec, baselineNsPerElement }));
