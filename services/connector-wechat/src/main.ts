/**
 * Runs the WeChat connector alone: its callbacks on an HTTP server of its own (HOST, PORT), its
 * messages to Kafka, replies from the outbound topic, a clean stop on SIGTERM.
 */
import { runConnectorsAlone } from '@switchboard/connector-sdk/standalone';
import { connectorModule } from './index.ts';

await runConnectorsAlone(connectorModule);
