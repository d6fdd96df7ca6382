/**
 * Runs the chat connectors alone (Slack when configured, web chat unless disabled) with their own
 * HTTP server for /slack/events and /chat. `pnpm start` at the root runs them inside the gateway.
 */
import { runConnectorsAlone } from '@switchboard/connector-sdk/standalone';
import { connectorModule } from './index.ts';

await runConnectorsAlone(connectorModule);
