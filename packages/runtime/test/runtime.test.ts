import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { ConfigError, createLogger, env, loadConfig, registerSecret, renderMetrics, counter, safeEqual, setLogSink, withRetry } from '../src/index.ts';

describe('loadConfig', () => {
  const schema = z.object({
    PORT: env.int(8080, 1, 65535).describe('port'),
    DEBUG: env.bool(false),
    HOSTS: env.list(),
    API_TOKEN: z.string().min(12),
  });
  it('applies defaults and converts env strings', () => {
    expect(loadConfig('t', schema, { DEBUG: 'yes', HOSTS: 'a, b,,c', API_TOKEN: 'x'.repeat(12) })).toEqual({ PORT: 8080, DEBUG: true, HOSTS: ['a', 'b', 'c'], API_TOKEN: 'x'.repeat(12) });
  });
  it('names every bad variable and hides secret values', () => {
    try {
      loadConfig('gateway', schema, { PORT: '99999', API_TOKEN: 'short' });
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError);
      const message = (error as Error).message;
      expect(message).toContain('invalid configuration for gateway');
      expect(message).toMatch(/PORT: .*\(got "99999"\)/);
      expect(message).toMatch(/API_TOKEN: .*\(got "\*\*\*"\)/);
      expect(message).not.toContain('short');
    }
  });
});

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
