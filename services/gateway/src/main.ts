/** The gateway alone (HTTP, connectors, read API, console); the router and ticket sink run as their own services. */
import { loadGatewayConfig } from './config.ts';
import { runFromCommandLine } from './run.ts';

await runFromCommandLine({ title: 'switchboard gateway', load: (env) => loadGatewayConfig(env) });
