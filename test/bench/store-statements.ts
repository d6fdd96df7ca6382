/**
 * Where the ticket sink's database time goes, statement by statement, next to the raw insert limit that
 * `pnpm bench` compares the sink with. No Kafka: N bench messages are routed in process (the real
 * router function and classifier), then written with the store's `writeRouted` in batches, one batch
 * at a time, on the real PostgreSQL (DATABASE_URL or 127.0.0.1:5432).
 *
 *   tsx test/bench/store-statements.ts [--messages 20000] [--batch 2000] [--no-acks] [--ddl "SQL run after the migrations"]
 *
 * After each batch, as the sink does, the new email tickets are acknowledged: the pending acks looked
 * up, built and recorded (`--no-acks` leaves that out; producing them to Kafka is not part of this).
 *
 * `--ddl` tries a schema change without editing the migrations (e.g. dropping a foreign key) and
 * shows what it is worth. Diagnostic only: `pnpm bench` holds the figures that are reported.
 */
import { performance } from 'node:perf_hooks';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { loadClassifier } from '@switchboard/classifier';
import { route } from '@switchboard/router';
import { RoutedMessage } from '@switchboard/schema';
import { openTicketStore } from '@switchboard/ticket-store';
import { ackCandidates, buildAck } from '@switchboard/ticket-sink';
import { freshDatabase } from '@switchboard/testkit';
import { pgInsertRate } from './baselines.ts';
import { generateMessages } from './messages.ts';

const { values } = parseArgs({
  options: {
    messages: { type: 'string', default: '20000' },
    batch: { type: 'string', default: '2000' },
    'no-acks': { type: 'boolean', default: false },
    ddl: { type: 'string' },
  },
});
const count = Number(values.messages);
const batchSize = Number(values.batch);

/** Time spent per statement (by its first words), from the call (the driver encodes and sends at once) to its result. */
const spent = new Map<string, { calls: number; ms: number }>();
function timeStatements(target: { query: (...args: never[]) => unknown }, label: string): void {
  const original = target.query;
  target.query = function (this: unknown, ...args: never[]) {
    const started = performance.now();
    const result = original.apply(this, args) as unknown;
    if (typeof args[0] !== 'string' || !(result instanceof Promise)) return result;
    const key = `${label}${(args[0] as string).replace(/\s+/g, ' ').trim().slice(0, 64)}`;
    return result.then((value: unknown) => {
      const entry = spent.get(key) ?? { calls: 0, ms: 0 };
      entry.calls++;
      entry.ms += performance.now() - started;
      spent.set(key, entry);
      return value;
    });
  } as typeof original;
}
// Statements inside a transaction go through a checked-out client; the rest through the pool.
timeStatements(pg.Client.prototype as never, '');
timeStatements(pg.Pool.prototype as never, '(pool) ');

const classifier = loadClassifier();
const inbound = generateMessages({ count, runTag: `statements-${Date.now().toString(36)}`, startAt: new Date() });
const serialized = inbound.map((m) => JSON.stringify(route(m, classifier)));
const stamp = Date.now().toString(36);
const rawDatabase = await freshDatabase(process.env.DATABASE_URL, `store_statements_raw_${stamp}`);
const storeDatabase = await freshDatabase(process.env.DATABASE_URL, `store_statements_sink_${stamp}`);
try {
  const raw = await pgInsertRate(rawDatabase.url, inbound, batchSize);
  const rawRate = raw.best;
  const store = await openTicketStore({ url: storeDatabase.url });
  if (values.ddl) {
    const client = new pg.Client({ connectionString: storeDatabase.url });
    await client.connect();
    await client.query(values.ddl).finally(() => client.end());
  }
  spent.clear();
  let validationMs = 0;
  const started = performance.now();
  for (let start = 0; start < count; start += batchSize) {
    const validationStarted = performance.now();
    // What the sink's consumer does with each record before the store sees it.
    const batch = serialized.slice(start, start + batchSize).map((text) => RoutedMessage.parse(JSON.parse(text)));
    validationMs += performance.now() - validationStarted;
    const result = await store.writeRouted(batch);
    if (!values['no-acks']) {
      const pending = await store.pendingAcks(ackCandidates(batch, result, ['email']), ['email'], new Date(Date.now() - 72 * 3_600_000));
      if (pending.length > 0) await store.recordOutbounds(pending.map((p) => buildAck(p)));
    }
  }
  const totalMs = performance.now() - started;
  await store.close();
  const rate = count / (totalMs / 1000);
  const statementMs = [...spent.values()].reduce((sum, entry) => sum + entry.ms, 0);
  console.log(`raw COPY ${Math.round(raw.copy)}, INSERT ${Math.round(raw.values)} rows/s; writeRouted ${Math.round(rate)} msgs/s; ratio ${(rate / rawRate).toFixed(3)}`);
  console.log(`${totalMs.toFixed(0)} ms in all: statements ${statementMs.toFixed(0)}, JSON + zod ${validationMs.toFixed(0)}, the rest in the store's own code`);
  for (const [statement, entry] of [...spent].sort((a, b) => b[1].ms - a[1].ms)) {
    console.log(`${entry.ms.toFixed(0).padStart(7)} ms ${String(entry.calls).padStart(5)}×  ${statement}`);
  }
} finally {
  await rawDatabase.drop();
  await storeDatabase.drop();
}
