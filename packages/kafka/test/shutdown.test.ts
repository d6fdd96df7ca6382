import { afterEach, describe, expect, it } from 'vitest';
import { clearKafkaStopDeadline, setKafkaStopDeadline, untilStopDeadline } from '../src/shutdown.ts';

const after = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

afterEach(() => clearKafkaStopDeadline());

describe('the stop deadline of a process that is shutting down', () => {
  it('waits for the work as long as it takes while no deadline is set', async () => {
    expect(await untilStopDeadline(after(150), 'slow work')).toBe(true);
  });

  it('abandons work still running at the deadline, and no later failure of it escapes', async () => {
    setKafkaStopDeadline(100);
    const started = Date.now();
    const hanging = after(400).then(() => {
      throw new Error('failed after it was abandoned');
    });
    expect(await untilStopDeadline(hanging, 'hanging work')).toBe(false);
    expect(Date.now() - started).toBeGreaterThanOrEqual(95);
    expect(Date.now() - started).toBeLessThan(350);
    await after(400); // an unhandled rejection here would fail the run
  });

  it('shares one deadline among the stops that follow it, and reports failures that come in time', async () => {
    setKafkaStopDeadline(200);
    expect(await untilStopDeadline(after(20), 'quick work')).toBe(true);
    await expect(untilStopDeadline(Promise.reject(new Error('refused')), 'failing work')).rejects.toThrow('refused');
    await after(200);
    const started = Date.now();
    expect(await untilStopDeadline(after(300), 'work after the deadline')).toBe(false);
    expect(Date.now() - started).toBeLessThan(100);
  });
});
