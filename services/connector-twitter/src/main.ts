/**
 * Runs the Twitter connector alone: config, Kafka, checkpoints, the connector hosted with its
 * outbound consumer, an HTTP server for /webhooks/twitter, and a clean stop on SIGTERM.
 * `pnpm start` at the root runs it inside the gateway instead.
 */
import { runConnectorsAlone } from '@switchboard/connector-sdk/standalone';
import { connectorModule } from './index.ts';

await runConnectorsAlone(connectorModule);
