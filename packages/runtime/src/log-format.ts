/**
 * How a log record reads: one JSON object per line for machines (files, collectors, pipes), or one
 * readable line in the style of pino-pretty for a person at a terminal: local time, coloured level,
 * component, message, then the fields as key=value, and an error's stack indented under it.
 * Pure functions: the logger decides which format and whether in colour.
 */
export type LogFormat = 'json' | 'pretty';

export interface LogRecord {
  t: string;
  level: 'debug' | 'info' | 'warn' | 'error';
  component: string;
  msg: string;
  [field: string]: unknown;
}

const ESC = '\u001b[';
const paint = (code: string, text: string, color: boolean) => (color ? `${ESC}${code}m${text}${ESC}0m` : text);
const LEVEL_STYLE: Record<LogRecord['level'], { label: string; code: string }> = {
  debug: { label: 'DEBUG', code: '90' },
  info: { label: 'INFO ', code: '32' },
  warn: { label: 'WARN ', code: '33' },
  error: { label: 'ERROR', code: '31' },
};

export function formatJson(record: LogRecord): string {
  try {
    return JSON.stringify(record);
  } catch {
    // A field JSON cannot hold (a BigInt): the record still gets out, its fields as text.
    return JSON.stringify(record, (_key, value: unknown) => (typeof value === 'bigint' ? value.toString() : value));
  }
}

/** `13:04:05.123 INFO  router  router started  group=switchboard-router from=cs.messages.inbound.v1` */
export function formatPretty(record: LogRecord, color: boolean): string {
  const { t, level, component, msg, ...fields } = record;
  const style = LEVEL_STYLE[level];
  const parts = [paint('2', clock(t), color), paint(style.code, style.label, color), paint('36', component, color), level === 'error' ? paint('1', msg, color) : msg];
  const stacks: string[] = [];
  const pairs: string[] = [];
  for (const [key, value] of Object.entries(fields)) {
    if (value === undefined) continue;
    if (isErrorShape(value)) {
      pairs.push(`${paint('2', `${key}=`, color)}${describeError(value)}`);
      const frames = value.stack?.split('\n').filter((line) => /^\s+at /.test(line)) ?? [];
      if (frames.length > 0) stacks.push(paint('2', frames.map((line) => `    ${line.trim()}`).join('\n'), color));
      continue;
    }
    pairs.push(`${paint('2', `${key}=`, color)}${formatValue(value)}`);
  }
  const line = parts.join(' ') + (pairs.length > 0 ? `  ${pairs.join(' ')}` : '');
  return stacks.length > 0 ? `${line}\n${stacks.join('\n')}` : line;
}

/** HH:MM:SS.mmm in local time; the ISO text itself when it is not a date. */
function clock(iso: string): string {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  const two = (n: number) => String(n).padStart(2, '0');
  return `${two(date.getHours())}:${two(date.getMinutes())}:${two(date.getSeconds())}.${String(date.getMilliseconds()).padStart(3, '0')}`;
}

/** `KafkaJSNumberOfRetriesExceeded: … (cause: KafkaJSConnectionError: …)` */
function describeError(error: ErrorShape): string {
  const text = JSON.stringify(`${error.name}: ${error.message}`);
  return isErrorShape(error.cause) ? `${text} (cause: ${describeError(error.cause)})` : text;
}

interface ErrorShape {
  name: string;
  message: string;
  stack?: string;
  cause?: unknown;
}

function isErrorShape(value: unknown): value is ErrorShape {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Record<string, unknown>;
  return typeof v.name === 'string' && typeof v.message === 'string' && (v.stack === undefined || typeof v.stack === 'string');
}

/** Bare words stay bare; text with spaces, quotes or `=` is quoted; objects are compact JSON. */
function formatValue(value: unknown): string {
  if (typeof value === 'string') return /^[^\s"'=]+$/.test(value) ? value : JSON.stringify(value);
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint' || value === null) return String(value);
  try {
    return JSON.stringify(value, (_key, v: unknown) => (typeof v === 'bigint' ? v.toString() : v));
  } catch {
    return String(value);
  }
}
