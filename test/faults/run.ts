/**
 * pnpm faults [--messages N] [--only NAME[,NAME]]: runs the pipeline as separate processes on the real
 * Kafka and PostgreSQL, injects each scenario's fault while messages flow, and counts.
 * Last line: {"scenarios":[...], "lost": total, "duplicated": total}.
 */
import { SCENARIOS, runScenario, tmpLogRoot, type ScenarioResult } from './suite.ts';
import { runOutboundScenario } from './outbound.ts';
import { OUTBOUND_SCENARIOS } from './outbound-scenarios.ts';

/** Inbound scenarios (router, sink, broker, store) first, then the connectors' outbound ones. */
const ALL: { name: string; description: string; run: (messages: number, logRoot: string) => Promise<ScenarioResult> }[] = [
  ...SCENARIOS.map((s) => ({ name: s.name, description: s.description, run: (messages: number, logRoot: string) => runScenario(s, messages, logRoot) })),
  ...OUTBOUND_SCENARIOS.map((s) => ({ name: s.name, description: s.description, run: (messages: number, logRoot: string) => runOutboundScenario(s, messages, logRoot) })),
];

export async function runFaults(options: { messages: number; only?: string[] }): Promise<{ scenarios: ScenarioResult[]; lost: number; duplicated: number }> {
  const chosen = options.only ? ALL.filter((s) => options.only!.includes(s.name)) : ALL;
  if (options.only) for (const name of options.only) if (!ALL.some((s) => s.name === name)) throw new Error(`unknown scenario "${name}"; one of: ${ALL.map((s) => s.name).join(', ')}`);
  const logRoot = tmpLogRoot();
  const scenarios: ScenarioResult[] = [];
  for (const scenario of chosen) {
    process.stderr.write(`running ${scenario.name}: ${scenario.description}\n`);
    scenarios.push(await scenario.run(options.messages, logRoot));
  }
  return { scenarios, lost: scenarios.reduce((s, r) => s + r.lost, 0), duplicated: scenarios.reduce((s, r) => s + r.duplicated, 0) };
}

function table(results: ScenarioResult[]): string {
  const header = ['scenario', 'sent', 'stored', 'lost', 'duplicated', 'DLQ', 'recover s', 'problems'];
  const rows = results.map((r) => [r.name, r.sent, r.stored, r.lost, r.duplicated, `${r.dlq}/${r.expectedDlq}`, r.recoverySec, r.problems.join('; ') || '-'].map(String));
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  return [header, ...rows].map((r) => r.map((c, i) => c.padEnd(widths[i]!)).join('  ')).join('\n');
}

if (import.meta.filename === process.argv[1]) {
  const args = process.argv.slice(2);
  const value = (flag: string) => {
    const i = args.indexOf(flag);
    return i >= 0 ? args[i + 1] : undefined;
  };
  const messages = Number(value('--messages') ?? 5000);
  const only = value('--only')?.split(',');
  const result = await runFaults({ messages, ...(only ? { only } : {}) });
  console.log(table(result.scenarios));
  for (const s of result.scenarios) for (const note of s.notes ?? []) console.log(`${s.name}: ${note}`);
  console.log(JSON.stringify({ scenarios: result.scenarios.map(({ name, sent, stored, lost, duplicated, dlq, recoverySec }) => ({ name, sent, stored, lost, duplicated, dlq, recoverySec })), lost: result.lost, duplicated: result.duplicated }));
  const failed = result.lost + result.duplicated > 0 || result.scenarios.some((s) => s.problems.length > 0);
  process.exit(failed ? 1 : 0);
}
