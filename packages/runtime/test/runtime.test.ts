import { describe, expect, it } from 'vitest';
import { createLogger, registerSecret, renderMetrics, counter, safeEqual, setLogSink, withRetry } from '../src/index.ts';

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
  it('retries until success, with growing delays', async () => {
    const delays: number[] = [];
    const result = await withRetry(async (attempt) => (attempt < 3 ? Promise.reject(new Error('flaky')) : 'ok'), { initialMs: 1, maxMs: 10, onRetry: (_e, _a, d) => delays.push(d) });
    expect(result).toBe('ok');
    expect(delays).toHaveLength(2);
  });
  it('gives up after the attempts and on non-retryable errors', async () => {
    let calls = 0;
    await expect(withRetry(async () => (calls++, Promise.reject(new Error('down'))), { attempts: 3, initialMs: 1 })).rejects.toThrow('down');
    expect(calls).toBe(3);
    calls = 0;
    await expect(withRetry(async () => (calls++, Promise.reject(new Error('bad'))), { retryable: () => false, initialMs: 1 })).rejects.toThrow('bad');
    expect(calls).toBe(1);
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
