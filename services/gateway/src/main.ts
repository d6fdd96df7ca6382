/** The gateway alone (HTTP, API channel, read API, connectors); the router and ticket sink run as their own services. */
import { runFromCommandLine } from './run.ts';

await runFromCommandLine(false);
