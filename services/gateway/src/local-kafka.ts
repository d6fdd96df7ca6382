import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';

export class LocalKafkaError extends Error {
  override readonly name = 'LocalKafkaError';
}

export interface LocalKafka {
  /** Bootstrap address, e.g. 127.0.0.1:9092. */
  address: string;
  /** PID of the broker infra/kafka runs, in a session of its own; absent when another process already listened on the port. */
  pid?: number;
}

/**
 * Starts (or finds running) the single-node broker of infra/kafka and returns its bootstrap address.
 * The script is idempotent and waits until the broker answers; it needs java and mvn.
 */
export async function startLocalKafka(repoRoot: string): Promise<LocalKafka> {
  const script = join(repoRoot, 'infra', 'kafka', 'kafka.sh');
  const run = (command: string) =>
    promisify(execFile)('bash', [script, command], { cwd: repoRoot, encoding: 'utf8', timeout: 10 * 60_000, maxBuffer: 16 * 1024 * 1024 });
  let address: string | undefined;
  try {
    const { stdout } = await run('start');
    address = stdout.trim().split('\n').pop()?.trim();
    if (!address || !/^[\w.-]+:\d+$/.test(address)) throw new Error(`unexpected output: ${JSON.stringify(stdout.slice(-200))}`);
  } catch (error) {
    const detail = (error as { stderr?: string }).stderr?.trim().split('\n').slice(-5).join('\n') || (error as Error).message;
    throw new LocalKafkaError(
      `could not start the local Kafka broker (bash infra/kafka/kafka.sh start; it needs java 17+ and mvn):\n${detail}\n` +
        'Set KAFKA_BROKERS=host:port to use a broker you already run.',
    );
  }
  // `status` answers "running pid N on ..." only for the broker the script started (its PID file).
  const status = await run('status').then(
    ({ stdout }) => stdout,
    () => '',
  );
  const pid = /running pid (\d+)/.exec(status)?.[1];
  return pid ? { address, pid: Number(pid) } : { address };
}

/** What the operator should know about the local broker: it outlives `pnpm start`, and how to stop it. */
export function describeLocalKafka(kafka: LocalKafka): string {
  return kafka.pid === undefined
    ? `${kafka.address} (already listening, not started by infra/kafka)`
    : `${kafka.address} (local broker, pid ${kafka.pid}, in its own session: Ctrl-C leaves it running for the next start; pnpm kafka:stop stops it)`;
}
