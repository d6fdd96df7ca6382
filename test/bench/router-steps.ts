/**
 * Where the router's CPU goes per message, step by step, without Kafka: the bench's messages as
 * the router receives them (JSON bytes), through the steps `runConsumer` and `route` take, each step
 * timed over all messages (process CPU time, user + system), best of `--rounds`. What Kafka itself
 * costs a process per message is what a relay of `pnpm bench` costs (`cpuMicrosPerMessage.twoHops`).
 * Also the ticket sink's share of the same kind: decoding and validating the routed records.
 *
 *   node --expose-gc --import tsx/esm test/bench/router-steps.ts [--messages 20000] [--rounds 3]
 *
 * With --expose-gc a full collection runs before each round, so a step does not pay for the garbage
 * of the steps before it; its own garbage it pays for (the router does too). Without it, which step a
 * major collection lands in is chance.
 *
 * Diagnostic only: `pnpm bench` holds the figures that are reported.
 */
import { parseArgs } from 'node:util';
import { loadClassifier } from '@switchboard/classifier';
import { redactMessage, route } from '@switchboard/router';
import { InboundMessage, parseWith, RoutedMessage } from '@switchboard/schema';
import { generateMessages } from './messages.ts';

const { values } = parseArgs({ options: { messages: { type: 'string', default: '20000' }, rounds: { type: 'string', default: '3' } } });
const count = Number(values.messages);
const rounds = Number(values.rounds);

const collect = (globalThis as { gc?: () => void }).gc;
const cpuMicros = () => {
  const usage = process.cpuUsage();
  return usage.user + usage.system;
};

/** Best CPU µs per message of `step` over the rounds; its last result is kept for the next step. */
function measure<T>(name: string, step: () => T, results: Map<string, number>): T {
  let best = Number.POSITIVE_INFINITY;
  let value: T | undefined;
  for (let round = 0; round < rounds; round++) {
    collect?.();
    const started = cpuMicros();
    value = step();
    best = Math.min(best, (cpuMicros() - started) / count);
  }
  results.set(name, best);
  return value!;
}

const classifier = loadClassifier();
const messages = generateMessages({ count, seed: 20261124, runTag: 'steps', startAt: new Date(Date.now() - 3_600_000) });
const inboundBytes = messages.map((m) => Buffer.from(JSON.stringify(m)));
const results = new Map<string, number>();

const parsedJson = measure('router: bytes → JSON.parse', () => inboundBytes.map((b) => JSON.parse(b.toString('utf8')) as unknown), results);
const inbound = measure('router: zod InboundMessage (runConsumer)', () => parsedJson.map((v) => parseWith(InboundMessage, 'InboundMessage', v)), results);
measure('router: redactMessage (text, subject)', () => inbound.map((m) => redactMessage(m.text, m.subject)), results);
measure('router: classify', () => inbound.map((m) => classifier.classify(m.text, m.subject)), results);
const routed = measure('router: route() in all (redact, meta, classify, zod RoutedMessage)', () => inbound.map((m) => route(m, classifier)), results);
measure('router: zod RoutedMessage alone', () => routed.map((m) => parseWith(RoutedMessage, 'RoutedMessage', m)), results);
const routedBytes = measure(
  'router: JSON.stringify + headers',
  () =>
    routed.map((m) => ({
      value: Buffer.from(JSON.stringify(m)),
      headers: { category: m.category, priority: m.priority, channel: m.channel, language: m.language, 'message-id': m.id },
    })),
  results,
);
const sinkJson = measure('sink: bytes → JSON.parse', () => routedBytes.map((r) => JSON.parse(r.value.toString('utf8')) as unknown), results);
measure('sink: zod RoutedMessage (runConsumer)', () => sinkJson.map((v) => parseWith(RoutedMessage, 'RoutedMessage', v)), results);

const width = Math.max(...[...results.keys()].map((k) => k.length));
process.stdout.write(`${count} bench messages, best of ${rounds} rounds${collect ? ', a full GC before each' : ''}, CPU µs per message:\n`);
for (const [name, micros] of results) process.stdout.write(`  ${name.padEnd(width)}  ${micros.toFixed(1)}\n`);
const avgIn = inboundBytes.reduce((s, b) => s + b.length, 0) / count;
const avgOut = routedBytes.reduce((s, r) => s + r.value.length, 0) / count;
process.stdout.write(`  (JSON per message: ${Math.round(avgIn)} bytes inbound, ${Math.round(avgOut)} bytes routed)\n`);
