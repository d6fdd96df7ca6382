import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';

export class LocalKafkaError extends Error {
  override readonly name = 'LocalKafkaError';
}

/**
 * Starts (or finds running) the single-node broker of infra/kafka and returns its bootstrap address.
 * The script is idempotent and waits until the broker answers; it needs java and mvn.
 */
export async function startLocalKafka(repoRoot: string): Promise<string> {
  const script = join(repoRoot, 'infra', 'kafka', 'kafka.sh');
  try {
    const { stdout } = await promisify(execFile)('bash', [script, 'start'], { cwd: repoRoot, encoding: 'utf8', timeout: 10 * 60_000, maxBuffer: 16 * 1024 * 1024 });
    const address = stdout.trim().split('\n').pop()?.trim();
    if (!address || !/^[\w.-]+:\d+$/.test(address)) throw new Error(`unexpected output: ${JSON.stringify(stdout.slice(-200))}`);
    return address;
  } catch (error) {
    const detail = (error as { stderr?: string }).stderr?.trim().split('\n').slice(-5).join('\n') || (error as Error).message;
    throw new LocalKafkaError(
      `could not start the local Kafka broker (bash infra/kafka/kafka.sh start; it needs java 17+ and mvn):\n${detail}\n` +
        'Set KAFKA_BROKERS=host:port to use a broker you already run.',
    );
  }
}
