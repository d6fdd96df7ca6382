/**
 * Draws docs/bench/results.svg from a results JSON of `pnpm bench`: throughput beside its raw limits,
 * and latency percentiles against the target. `tsx test/bench/chart.ts [results.json]`.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { pathToFileURL } from 'node:url';

interface ChartInput {
  date: string;
  machine: { nproc: number; totalMemoryMb: number; node: string };
  params: { messages: number; rate: number; seconds: number };
  e2eMsgsPerSec: number;
  kafkaPassthroughMsgsPerSec: number;
  routerMsgsPerSec: number;
  sinkMsgsPerSec: number;
  pgInsertRowsPerSec: number;
  /** Absent from results saved before these two were measured. */
  twoHopMsgsPerSec?: number;
  e2eCeiling?: { msgsPerSec: number };
  latencyMs: { p50: number; p95: number; p99: number; max: number };
  latencyOfferedMsgsPerSec: number;
}

const WIDTH = 900;
const HEIGHT = 660;
const escape = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
const fmt = (n: number) => Math.round(n).toLocaleString('en-US');

interface Bar {
  label: string;
  value: number;
  color: string;
  note?: string;
}

/** Horizontal bars in a box: label left, bar scaled to the largest value (or `scaleMax`), value right. */
function barPanel(title: string, bars: Bar[], top: number, unit: string, scaleMax?: number, marker?: { value: number; label: string }): string {
  const left = 230;
  const barMax = WIDTH - left - 150;
  const max = Math.max(scaleMax ?? 0, ...bars.map((b) => b.value), marker?.value ?? 0);
  const rowHeight = 34;
  const parts = [`<text x="20" y="${top}" font-size="17" font-weight="bold">${escape(title)}</text>`];
  bars.forEach((bar, i) => {
    const y = top + 18 + i * rowHeight;
    const w = Math.max(1, (bar.value / max) * barMax);
    parts.push(
      `<text x="${left - 10}" y="${y + 17}" font-size="13" text-anchor="end">${escape(bar.label)}</text>`,
      `<rect x="${left}" y="${y}" width="${w.toFixed(1)}" height="24" fill="${bar.color}" rx="2"/>`,
      `<text x="${left + w + 8}" y="${y + 17}" font-size="13">${escape(`${fmt(bar.value)} ${unit}${bar.note ? ` ${bar.note}` : ''}`)}</text>`,
    );
  });
  if (marker) {
    const x = left + (marker.value / max) * barMax;
    const bottom = top + 18 + bars.length * rowHeight;
    parts.push(
      `<line x1="${x.toFixed(1)}" y1="${top + 14}" x2="${x.toFixed(1)}" y2="${bottom}" stroke="#c0392b" stroke-width="2" stroke-dasharray="6 4"/>`,
      `<text x="${(x + 4).toFixed(1)}" y="${bottom + 14}" font-size="12" fill="#c0392b">${escape(marker.label)}</text>`,
    );
  }
  return parts.join('\n');
}

export function renderChart(r: ChartInput): string {
  const baseline = '#95a5a6';
  const pipeline = '#2e86c1';
  const ratio = (a: number, b: number) => `(${(a / b).toFixed(2)}×)`;
  const throughput = barPanel(
    'Throughput, messages per second (pipeline beside its raw limit)',
    [
      { label: 'kafkajs pass-through (limit)', value: r.kafkaPassthroughMsgsPerSec, color: baseline },
      ...(r.twoHopMsgsPerSec !== undefined
        ? [{ label: 'two hops, no work', value: r.twoHopMsgsPerSec, color: baseline, note: ratio(r.twoHopMsgsPerSec, r.kafkaPassthroughMsgsPerSec) }]
        : []),
      ...(r.e2eCeiling !== undefined
        ? [{ label: 'ceiling of this layout here', value: r.e2eCeiling.msgsPerSec, color: '#d4ac0d', note: ratio(r.e2eCeiling.msgsPerSec, r.kafkaPassthroughMsgsPerSec) }]
        : []),
      { label: 'end to end', value: r.e2eMsgsPerSec, color: pipeline, note: ratio(r.e2eMsgsPerSec, r.kafkaPassthroughMsgsPerSec) },
      { label: 'router alone', value: r.routerMsgsPerSec, color: pipeline, note: ratio(r.routerMsgsPerSec, r.kafkaPassthroughMsgsPerSec) },
      { label: 'PostgreSQL rows (limit)', value: r.pgInsertRowsPerSec, color: baseline },
      { label: 'sink alone', value: r.sinkMsgsPerSec, color: pipeline, note: ratio(r.sinkMsgsPerSec, r.pgInsertRowsPerSec) },
    ],
    80,
    'msg/s',
  );
  const latency = barPanel(
    `Latency, produce → row committed, at ${fmt(r.latencyOfferedMsgsPerSec)} msg/s for ${r.params.seconds} s`,
    [
      { label: 'p50', value: r.latencyMs.p50, color: '#27ae60' },
      { label: 'p95', value: r.latencyMs.p95, color: '#27ae60' },
      { label: 'p99', value: r.latencyMs.p99, color: r.latencyMs.p99 <= 250 ? '#27ae60' : '#e67e22' },
      { label: 'max', value: r.latencyMs.max, color: '#7f8c8d' },
    ],
    380,
    'ms',
    undefined,
    { value: 250, label: 'p99 target 250 ms' },
  );
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${HEIGHT}" viewBox="0 0 ${WIDTH} ${HEIGHT}" font-family="DejaVu Sans, Arial, sans-serif">
<rect width="100%" height="100%" fill="#ffffff"/>
<text x="20" y="32" font-size="20" font-weight="bold">Switchboard pipeline benchmark</text>
<text x="20" y="54" font-size="13" fill="#555">${escape(`${r.date.slice(0, 16).replace('T', ' ')} UTC · ${r.machine.nproc} cores, ${fmt(r.machine.totalMemoryMb)} MB, Node ${r.machine.node} · ${fmt(r.params.messages)} messages`)}</text>
${throughput}
${latency}
<text x="20" y="${HEIGHT - 34}" font-size="12" fill="#555">grey: raw limit of the component underneath (PostgreSQL: the faster of COPY and multi-row INSERT) · blue: pipeline stage</text>
<text x="20" y="${HEIGHT - 16}" font-size="12" fill="#555">yellow: the most any pipeline of this layout could reach on this machine · ratios to the limit in brackets</text>
</svg>
`;
}

/** Writes results.svg beside the JSON; returns its path. */
export function writeChart(resultsPath: string): string {
  const result = JSON.parse(readFileSync(resultsPath, 'utf8')) as ChartInput;
  const out = join(dirname(resultsPath), 'results.svg');
  writeFileSync(out, renderChart(result));
  return out;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const file = process.argv[2] ?? join(import.meta.dirname, '../../docs/bench/results.json');
  process.stdout.write(`wrote ${writeChart(file)}\n`);
}
