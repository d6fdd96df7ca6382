export { runCli } from './cli.ts';
export { createCliContext, type CliContext } from './context.ts';
export { tailCommand } from './commands/tail.ts';
export { dlqList, dlqReplay, type ReplayReport } from './commands/dlq.ts';
export { replayCommand, parseSince } from './commands/replay.ts';
export { topicsCommand } from './commands/topics.ts';
