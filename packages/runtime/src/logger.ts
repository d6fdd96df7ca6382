/**
 * The logger of every component, on stderr: readable coloured lines on a terminal, JSON lines
 * otherwise (a pipe, a file, a log collector), or as `LOG_FORMAT` (`pretty`, `json`) says; `NO_COLOR`
 * turns the colours off. Every configured secret is registered here and masked in whatever is
 * logged, in either format, so a token can never leak through an error message or a logged request.
 */
import { formatJson, formatPretty, type LogFormat, type LogRecord } from './log-format.ts';

export type { LogFormat } from './log-format.ts';
export type LogLevel = 'debug' | 'info' | 'warn' | 'error';
const LEVELS: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

const secrets = new Set<string>();
let threshold: number = LEVELS[(process.env.LOG_LEVEL as LogLevel | undefined) ?? 'info'] ?? LEVELS.info;
let output = terminalOutput();
let sink: (line: string) => void = (line) => process.stderr.write(line + '\n');

/** Pretty on a terminal, JSON elsewhere; LOG_FORMAT chooses, NO_COLOR and FORCE_COLOR decide the colours. */
function terminalOutput(): { format: LogFormat; color: boolean; problem?: string } {
  const wanted = process.env.LOG_FORMAT?.trim().toLowerCase();
  const tty = process.stderr.isTTY === true;
  const known = wanted === 'json' || wanted === 'pretty';
  const format: LogFormat = known ? wanted : tty ? 'pretty' : 'json';
  const forced = process.env.FORCE_COLOR;
  const color = format === 'pretty' && (forced !== undefined && forced !== '' ? forced !== '0' : tty && !process.env.NO_COLOR);
  const problem = wanted && !known ? `LOG_FORMAT must be json or pretty, got ${JSON.stringify(process.env.LOG_FORMAT)}: using ${format}` : undefined;
  return problem ? { format, color, problem } : { format, color };
}

export function registerSecret(value: string | undefined): void {
  // Short values would mask ordinary words; no real secret is this short.
  if (value && value.length >= 6) secrets.add(value);
}

export function maskSecrets(text: string): string {
  let out = text;
  for (const secret of secrets) if (out.includes(secret)) out = out.split(secret).join('***');
  return out;
}

/**
 * Sends log lines to `write` instead of stderr (tests, the benchmark), at `level` when given, as JSON
 * lines unless `format` says otherwise.
 */
export function setLogSink(write: (line: string) => void, level?: LogLevel, format: LogFormat = 'json'): void {
  sink = write;
  output = { format, color: false };
  if (level) threshold = LEVELS[level];
}

export interface Logger {
  debug(msg: string, fields?: Record<string, unknown>): void;
  info(msg: string, fields?: Record<string, unknown>): void;
  warn(msg: string, fields?: Record<string, unknown>): void;
  error(msg: string, fields?: Record<string, unknown>): void;
  child(component: string): Logger;
}

function errorFields(value: unknown): unknown {
  if (!(value instanceof Error)) return value;
  const fields: Record<string, unknown> = { name: value.name, message: value.message, stack: value.stack };
  // kafkajs gives up with "retries exceeded": why is in its cause.
  if (value.cause !== undefined && value.cause !== value) fields.cause = errorFields(value.cause);
  return fields;
}

/**
 * Every string inside a field masked, before it is serialized: JSON escapes quotes and backslashes,
 * so a secret holding one would no longer match in the serialized line.
 */
function maskDeep(value: unknown, seen: WeakSet<object>): unknown {
  if (typeof value === 'string') return maskSecrets(value);
  if (typeof value !== 'object' || value === null) return value;
  if (seen.has(value)) return '[circular]';
  seen.add(value);
  if (Array.isArray(value)) return value.map((item) => maskDeep(item, seen));
  if (value instanceof Date || Buffer.isBuffer(value)) return value;
  return Object.fromEntries(Object.entries(errorFields(value) as object).map(([key, item]) => [key, maskDeep(item, seen)]));
}

function write(record: LogRecord): void {
  if (output.problem) {
    const problem = output.problem;
    delete output.problem;
    write({ t: record.t, level: 'warn', component: 'logger', msg: problem });
  }
  const line = output.format === 'pretty' ? formatPretty(record, output.color) : formatJson(record);
  // Masked again as a whole: a secret could also come out of a value's own toString.
  sink(maskSecrets(line));
}

export function createLogger(component: string): Logger {
  const log = (level: LogLevel, msg: string, fields?: Record<string, unknown>) => {
    if (LEVELS[level] < threshold) return;
    const record: LogRecord = { t: new Date().toISOString(), level, component, msg: maskSecrets(msg) };
    const seen = new WeakSet<object>();
    if (fields) for (const [k, v] of Object.entries(fields)) record[k] = maskDeep(errorFields(v), seen);
    write(record);
  };
  return {
    debug: (m, f) => log('debug', m, f),
    info: (m, f) => log('info', m, f),
    warn: (m, f) => log('warn', m, f),
    error: (m, f) => log('error', m, f),
    child: (sub) => createLogger(`${component}.${sub}`),
  };
}
