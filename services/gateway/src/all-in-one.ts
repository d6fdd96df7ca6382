/** `pnpm start`: the whole pipeline in one process (gateway, connectors, router, ticket sink). */
import { runFromCommandLine } from './run.ts';

await runFromCommandLine(true);
