import { execFileSync } from 'node:child_process';
import { connect } from 'node:net';
import { fileURLToPath } from 'node:url';

/**
 * Makes sure the real Kafka broker the tests need is there: KAFKA_BROKERS when set, otherwise the
 * local broker of infra/kafka (started here when it is not running). No test skips for want of it.
 */
function reachable(hostPort: string): Promise<boolean> {
  const [host, port] = hostPort.split(':');
  return new Promise((resolve) => {
    const socket = connect({ host, port: Number(port), timeout: 2_000 });
    socket.once('connect', () => (socket.destroy(), resolve(true)));
    socket.once('error', () => resolve(false));
    socket.once('timeout', () => (socket.destroy(), resolve(false)));
  });
}

export default async function setup(): Promise<void> {
  if (!process.env.KAFKA_BROKERS) {
    const script = fileURLToPath(new URL('../../infra/kafka/kafka.sh', import.meta.url));
    const address = execFileSync('bash', [script, 'start'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] }).trim().split('\n').pop()!;
    process.env.KAFKA_BROKERS = address;
  }
  const first = process.env.KAFKA_BROKERS.split(',')[0]!;
  if (!(await reachable(first))) throw new Error(`Kafka is not reachable at ${first} (KAFKA_BROKERS); tests need a real broker`);
}
