import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createLogger, registerSecret, setLogSink } from '../src/index.ts';
import { formatJson, formatPretty, type LogRecord } from '../src/log-format.ts';

const at = new Date(2026, 11, 7, 13, 4, 5, 123).toISOString();
const record = (fields: Partial<LogRecord> & Record<string, unknown> = {}): LogRecord => ({ t: at, level: 'info', component: 'router', msg: 'router started', ...fields });
const ESC = '\u001b[';

afterEach(() => setLogSink((line) => process.stderr.write(line + '\n'), 'info'));

describe('the readable format', () => {
  const cases: [string, LogRecord, string][] = [
    ['time, level, component, message', record(), '13:04:05.123 INFO  router router started'],
    ['bare words bare, numbers and booleans as they are', record({ group: 'switchboard-router', attempt: 2, ok: true }), '13:04:05.123 INFO  router router started  group=switchboard-router attempt=2 ok=true'],
    ['text with spaces quoted, objects as compact JSON', record({ level: 'warn', reason: 'no leader yet', channels: ['email', 'api'] }), '13:04:05.123 WARN  router router started  reason="no leader yet" channels=["email","api"]'],
    ['fields left undefined left out', record({ level: 'debug', missing: undefined }), '13:04:05.123 DEBUG router router started'],
  ];
  it.each(cases)('%s', (_name, input, expected) => {
    expect(formatPretty(input, false)).toBe(expected);
  });

  it('puts an error, with its cause, on the line and its stack frames indented under it', () => {
    const cause = { name: 'KafkaJSConnectionError', message: 'Connection error: connect ECONNREFUSED 127.0.0.1:9092' };
    const error = { name: 'KafkaJSNumberOfRetriesExceeded', message: 'retries exceeded', stack: 'KafkaJSNumberOfRetriesExceeded: retries exceeded\n    at retry (retry.js:1:1)\n    at run (runner.js:2:2)', cause };
    expect(formatPretty(record({ level: 'error', msg: 'restart failed', error }), false)).toBe(
      '13:04:05.123 ERROR router restart failed  error="KafkaJSNumberOfRetriesExceeded: retries exceeded" (cause: "KafkaJSConnectionError: Connection error: connect ECONNREFUSED 127.0.0.1:9092")\n' +
        '    at retry (retry.js:1:1)\n    at run (runner.js:2:2)',
    );
  });

  it('colours the level, dims the time and the keys, and resets after each', () => {
    const line = formatPretty(record({ level: 'error', attempt: 3 }), true);
    expect(line).toContain(`${ESC}31mERROR${ESC}0m`);
    expect(line).toContain(`${ESC}2m13:04:05.123${ESC}0m`);
    expect(line).toContain(`${ESC}2mattempt=${ESC}0m3`);
    expect(formatPretty(record({ level: 'warn' }), true)).toContain(`${ESC}33mWARN ${ESC}0m`);
  });

  it('JSON keeps one object per line, BigInts as text', () => {
    expect(JSON.parse(formatJson(record({ offset: 12n })))).toEqual({ t: at, level: 'info', component: 'router', msg: 'router started', offset: '12' });
  });
});

describe('secrets in both formats', () => {
  it.each(['json', 'pretty'] as const)('masks registered secrets in the message, in fields, inside errors and in quoted text (%s)', (format) => {
    const lines: string[] = [];
    setLogSink((line) => lines.push(line), 'debug', format);
    registerSecret('s3cr3t-token-value');
    registerSecret('pa"ss\\word-42');
    createLogger('test').error('failed with s3cr3t-token-value', {
      header: 'Bearer s3cr3t-token-value',
      nested: { url: 'postgres://app:pa"ss\\word-42@db/x' },
      error: new Error('token s3cr3t-token-value rejected', { cause: new Error('again s3cr3t-token-value') }),
    });
    expect(lines).toHaveLength(1);
    expect(lines[0]).not.toContain('s3cr3t-token-value');
    expect(lines[0]).not.toContain('word-42');
    expect(lines[0]).toContain('Bearer ***');
    if (format === 'json') expect(JSON.parse(lines[0]!).nested.url).toBe('postgres://app:***@db/x');
  });
});

describe('the format a process picks', () => {
  /** A process that logs one line and one secret, its stderr a terminal (util-linux `script`) or a pipe. */
  function logFrom(terminal: boolean, env: NodeJS.ProcessEnv = {}): string {
    const code = `import { createLogger, registerSecret } from ${JSON.stringify(join(import.meta.dirname, '../src/index.ts'))};
registerSecret('terminal-secret-99'); createLogger('probe').warn('hello terminal-secret-99', { n: 1 });`;
    const node = `${process.execPath} --import tsx/esm --input-type=module -e ${shellQuote(code)}`;
    const result = terminal
      ? spawnSync('script', ['-qfec', `${node} 2>&1`, '/dev/null'], { env: { ...process.env, ...env }, encoding: 'utf8' })
      : spawnSync('sh', ['-c', `${node} 2>&1 | cat`], { env: { ...process.env, ...env }, encoding: 'utf8' });
    expect(result.status, result.stderr).toBe(0);
    return result.stdout.trim();
  }
  const shellQuote = (text: string) => `'${text.replace(/'/g, `'\\''`)}'`;
  const quiet = { LOG_FORMAT: '', NO_COLOR: '', FORCE_COLOR: '' };

  it('writes coloured readable lines on a terminal', () => {
    const out = logFrom(true, quiet);
    expect(out).toMatch(/\d\d:\d\d:\d\d\.\d{3}.*WARN .*probe.* hello \*\*\*/);
    expect(out).toContain(`${ESC}33mWARN ${ESC}0m`);
    expect(out).not.toContain('terminal-secret-99');
  });

  it('writes JSON lines to a pipe', () => {
    const out = logFrom(false, quiet);
    expect(JSON.parse(out)).toMatchObject({ level: 'warn', component: 'probe', msg: 'hello ***', n: 1 });
  });

  it('follows LOG_FORMAT and NO_COLOR, and says so when LOG_FORMAT is not one it knows', () => {
    expect(JSON.parse(logFrom(true, { ...quiet, LOG_FORMAT: 'json' }))).toMatchObject({ msg: 'hello ***' });
    expect(logFrom(false, { ...quiet, LOG_FORMAT: 'pretty' })).toMatch(/^\d\d:\d\d:\d\d\.\d{3} WARN  probe hello \*\*\*  n=1$/);
    const plain = logFrom(true, { ...quiet, NO_COLOR: '1' });
    expect(plain).toMatch(/WARN  probe hello \*\*\*/);
    expect(plain).not.toContain(ESC);
    const lines = logFrom(false, { ...quiet, LOG_FORMAT: 'fancy' }).split('\n').map((line) => JSON.parse(line) as { msg: string });
    expect(lines[0]!.msg).toBe('LOG_FORMAT must be json or pretty, got "fancy": using json');
    expect(lines[1]!.msg).toBe('hello ***');
  });
});
