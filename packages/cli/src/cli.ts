import { ConfigError } from '@switchboard/runtime';
import { parseArgs, UsageError } from './args.ts';
import { createCliContext, resolveTopic } from './context.ts';
import { topicsCommand, topicsHelp } from './commands/topics.ts';
import { tailCommand, tailHelp } from './commands/tail.ts';
import { dlqHelp, dlqList, dlqReplay } from './commands/dlq.ts';
import { parseSince, replayCommand, replayHelp } from './commands/replay.ts';

const HELP = `switchboard <command> [options]

Commands:
  topics                 topics with record counts and consumer lag
  tail <topic>           print records as they arrive
  dlq list               dead letters with their reasons
  dlq replay             send dead letters back to their source topic, once
  replay --since <time>  re-feed the ticket store from routed messages

Every command takes --help. Kafka comes from KAFKA_BROKERS (default the local broker 127.0.0.1:9092),
and SWITCHBOARD_TOPIC_PREFIX when topics are prefixed.`;

const HELPS: Record<string, string> = { topics: topicsHelp, tail: tailHelp, dlq: dlqHelp, replay: replayHelp };

export async function runCli(argv: string[], env: NodeJS.ProcessEnv = process.env): Promise<number> {
  const [command, ...rest] = argv;
  if (!command || command === '--help' || command === 'help') {
    console.log(HELP);
    return command ? 0 : 2;
  }
  const help = HELPS[command];
  if (!help) {
    console.error(`unknown command "${command}"\n\n${HELP}`);
    return 2;
  }
  try {
    const args = parseArgs(rest, ['category', 'channel', 'limit', 'id', 'since', 'database-url', 'data-dir'], ['json', 'from-beginning', 'all']);
    if (args.flags.has('help')) {
      console.log(help);
      return 0;
    }
    const ctx = createCliContext(env);
    const str = (name: string) => (typeof args.flags.get(name) === 'string' ? (args.flags.get(name) as string) : undefined);
    switch (command) {
      case 'topics':
        await topicsCommand(ctx, args.flags.has('json'));
        return 0;
      case 'tail': {
        const limit = str('limit');
        await tailCommand(ctx, resolveTopic(ctx, args.positional[0]), {
          ...(str('category') ? { category: str('category')! } : {}),
          ...(str('channel') ? { channel: str('channel')! } : {}),
          ...(limit ? { limit: Number(limit) } : {}),
          fromBeginning: args.flags.has('from-beginning'),
          json: args.flags.has('json'),
        });
        return 0;
      }
      case 'dlq': {
        const sub = args.positional[0];
        if (sub === 'list') await dlqList(ctx, args.flags.has('json'));
        else if (sub === 'replay') {
          const ids = rest.flatMap((a, i) => (a === '--id' && rest[i + 1] ? [rest[i + 1]!] : a.startsWith('--id=') ? [a.slice(5)] : []));
          await dlqReplay(ctx, ids, args.flags.has('all'));
        } else throw new UsageError('dlq needs "list" or "replay"');
        return 0;
      }
      case 'replay': {
        const since = str('since');
        if (!since) throw new UsageError('replay needs --since <time>');
        const url = str('database-url') ?? env.DATABASE_URL;
        await replayCommand(ctx, parseSince(since), { ...(url ? { url } : {}), dataDir: str('data-dir') ?? `${env.SWITCHBOARD_DATA_DIR ?? '.data'}/pglite` });
        return 0;
      }
    }
    return 2;
  } catch (error) {
    if (error instanceof UsageError) {
      console.error(`${error.message}\n\n${help}`);
      return 2;
    }
    if (error instanceof ConfigError) {
      console.error(error.message);
      return 2;
    }
    console.error(`switchboard ${command}: ${(error as Error).message}`);
    return 1;
  }
}
