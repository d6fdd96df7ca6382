import { describe, expect, it } from 'vitest';
import {
  createLogger,
  isPermanent,
  isRetriable,
  PermanentError,
  registerSecret,
  renderMetrics,
  retriability,
  RETRY_BUDGETS,
  counter,
  safeEqual,
  setLogSink,
  TransientError,
  withRetry,
} from '../src/index.ts';

describe('logger', () => {
  it('masks registered secrets wherever they appear', () => {
    const lines: string[] = [];
    setLogSink((l) => lines.push(l), 'debug');
    registerSecret('s3cr3t-token-value');
    createLogger('test').error('failed with s3cr3t-token-value', { header: 'Bearer s3cr3t-token-value', error: new Error('token s3cr3t-token-value rejected') });
    expect(lines).toHaveLength(1);
    expect(lines[0]).not.toContain('s3cr3t-token-value');
    expect(JSON.parse(lines[0]!).header).toBe('Bearer ***');
  });
});

describe('withRetry', () => {
  const quick = { attempts: 5, initialMs: 1, maxMs: 10, why: 'a test' };
  it('retries until success, with growing delays', async () => {
    const delays: number[] = [];
    const result = await withRetry(async (attempt) => (attempt < 3 ? Promise.reject(new Error('flaky')) : 'ok'), quick, { onRetry: (_e, _a, d) => delays.push(d) });
    expect(result).toBe('ok');
    expect(delays).toHaveLength(2);
  });
  it('gives up when the budget is spent, and at once on errors the caller or the error itself calls permanent', async () => {
    let calls = 0;
    await expect(withRetry(async () => (calls++, Promise.reject(new Error('down'))), { ...quick, attempts: 3 })).rejects.toThrow('down');
    expect(calls).toBe(3);
    calls = 0;
    await expect(withRetry(async () => (calls++, Promise.reject(new Error('bad'))), quick, { retryable: () => false })).rejects.toThrow('bad');
    expect(calls).toBe(1);
    calls = 0;
    await expect(withRetry(async () => (calls++, Promise.reject(new PermanentError('never'))), quick, { retryable: () => true })).rejects.toThrow('never');
    expect(calls).toBe(1);
  });
  it('names every budget with a reason', () => {
    for (const [stage, budget] of Object.entries(RETRY_BUDGETS)) {
      expect(budget.attempts, stage).toBeGreaterThanOrEqual(1);
      expect(budget.initialMs, stage).toBeLessThanOrEqual(budget.maxMs);
      expect(budget.why.length, stage).toBeGreaterThan(20);
    }
  });
});

describe('retriability: what every error says about trying again', () => {
  const network = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' });
  const kafkaGaveUp = (cause: unknown) => Object.assign(new Error('Number of retries exceeded'), { name: 'KafkaJSNumberOfRetriesExceeded', retriable: false, cause });
  it.each([
    ['our TransientError', new TransientError('database down'), true],
    ['our PermanentError', new PermanentError('no recipient'), false],
    ['a subclass keeps the flag of its base', new (class UnknownAccount extends PermanentError {})('no such account'), false],
    ['kafkajs flag true (KafkaJSConnectionError)', Object.assign(new Error('Connection error'), { name: 'KafkaJSConnectionError', retriable: true }), true],
    ['kafkajs flag false (MESSAGE_TOO_LARGE)', Object.assign(new Error('too large'), { name: 'KafkaJSProtocolError', retriable: false }), false],
    ['kafkajs gave up on a broker that was down', kafkaGaveUp(Object.assign(new Error('down'), { retriable: true })), true],
    ['kafkajs gave up on something permanent', kafkaGaveUp(new PermanentError('refused')), false],
    ['a socket error code', network, true],
    ['a PostgreSQL shutdown (57P01)', Object.assign(new Error('terminating connection'), { code: '57P01' }), true],
    ['a PostgreSQL data error (22P05) says nothing', Object.assign(new Error('unsupported Unicode escape'), { code: '22P05' }), undefined],
    ['the cause decides for a plain wrapper', new Error('write failed', { cause: network }), true],
    ['a plain Error says nothing', new Error('bug'), undefined],
    ['not an error at all', 'boom', undefined],
  ])('%s', (_what, error, expected) => {
    expect(retriability(error)).toBe(expected);
    expect(isRetriable(error)).toBe(expected === true);
    expect(isPermanent(error)).toBe(expected === false);
  });
});

describe('metrics and signatures', () => {
  it('renders Prometheus text with labels', async () => {
    counter('test_things_total', 'things').inc({ kind: 'a"b' }, 2);
    expect(await renderMetrics()).toContain('test_things_total{kind="a\\"b"} 2');
  });
  it('compares signatures in constant time and rejects missing ones', () => {
    expect(safeEqual('sha256=abc', 'sha256=abc')).toBe(true);
    expect(safeEqual('sha256=abd', 'sha256=abc')).toBe(false);
    expect(safeEqual(undefined, 'x')).toBe(false);
  });
});
