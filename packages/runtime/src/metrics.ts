/**
 * A small in-process metrics registry rendered as Prometheus text. Enough for counters and gauges
 * with labels; no dependency needed.
 */
type Labels = Record<string, string>;

interface Series {
  help: string;
  type: 'counter' | 'gauge';
  values: Map<string, { labels: Labels; value: number }>;
}

const registry = new Map<string, Series>();
const collectors: (() => Promise<void> | void)[] = [];

function seriesKey(labels: Labels): string {
  return JSON.stringify(Object.entries(labels).sort(([a], [b]) => a.localeCompare(b)));
}

function series(name: string, type: Series['type'], help: string): Series {
  let s = registry.get(name);
  if (!s) registry.set(name, (s = { help, type, values: new Map() }));
  return s;
}

export function counter(name: string, help: string) {
  const s = series(name, 'counter', help);
  return {
    inc(labels: Labels = {}, by = 1) {
      const key = seriesKey(labels);
      const entry = s.values.get(key);
      if (entry) entry.value += by;
      else s.values.set(key, { labels, value: by });
    },
    get(labels: Labels = {}): number {
      return s.values.get(seriesKey(labels))?.value ?? 0;
    },
  };
}

export function gauge(name: string, help: string) {
  const s = series(name, 'gauge', help);
  return {
    set(labels: Labels, value: number) {
      s.values.set(seriesKey(labels), { labels, value });
    },
  };
}

/** Runs before each render: for values read on demand (consumer lag). Returns its removal. */
export function addCollector(collect: () => Promise<void> | void): () => void {
  collectors.push(collect);
  return () => {
    const index = collectors.indexOf(collect);
    if (index >= 0) collectors.splice(index, 1);
  };
}

function escapeLabel(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}

export async function renderMetrics(): Promise<string> {
  await Promise.allSettled(collectors.map((c) => c()));
  const lines: string[] = [];
  for (const [name, s] of registry) {
    lines.push(`# HELP ${name} ${s.help}`, `# TYPE ${name} ${s.type}`);
    for (const { labels, value } of s.values.values()) {
      const rendered = Object.entries(labels).map(([k, v]) => `${k}="${escapeLabel(v)}"`).join(',');
      lines.push(`${name}${rendered ? `{${rendered}}` : ''} ${value}`);
    }
  }
  return lines.join('\n') + '\n';
}

export const messagesTotal = counter('switchboard_messages_total', 'Records produced (direction="out") or consumed (direction="in") per topic.');
export const dlqTotal = counter('switchboard_dlq_total', 'Records sent to the dead-letter topic, by stage.');
