/**
 * JSON-lines logger on stderr. Every configured secret is registered here and masked in whatever
 * is logged, so a token can never leak through an error message or a logged request.
 */
export type LogLevel = 'debug' | 'info' | 'warn' | 'error';
const LEVELS: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

const secrets = new Set<string>();
let threshold: number = LEVELS[(process.env.LOG_LEVEL as LogLevel | undefined) ?? 'info'] ?? LEVELS.info;
let sink: (line: string) => void = (line) => process.stderr.write(line + '\n');

export function registerSecret(value: string | undefined): void {
  // Short values would mask ordinary words; no real secret is this short.
  if (value && value.length >= 6) secrets.add(value);
}

export function maskSecrets(text: string): string {
  let out = text;
  for (const secret of secrets) if (out.includes(secret)) out = out.split(secret).join('***');
  return out;
}

export function setLogSink(write: (line: string) => void, level?: LogLevel): void {
  sink = write;
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
  if (value instanceof Error) return { name: value.name, message: value.message, stack: value.stack };
  return value;
}

export function createLogger(component: string): Logger {
  const log = (level: LogLevel, msg: string, fields?: Record<string, unknown>) => {
    if (LEVELS[level] < threshold) return;
    const record: Record<string, unknown> = { t: new Date().toISOString(), level, component, msg };
    if (fields) for (const [k, v] of Object.entries(fields)) record[k] = errorFields(v);
    sink(maskSecrets(JSON.stringify(record)));
  };
  return {
    debug: (m, f) => log('debug', m, f),
    info: (m, f) => log('info', m, f),
    warn: (m, f) => log('warn', m, f),
    error: (m, f) => log('error', m, f),
    child: (sub) => createLogger(`${component}.${sub}`),
  };
}
