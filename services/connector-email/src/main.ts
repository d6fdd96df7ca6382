/**
 * Runs the email connector alone: every configured mailbox to Kafka, replies from the outbound
 * topic through SMTP, a clean stop on SIGTERM.
 */
import { runConnectorsAlone } from '@switchboard/connector-sdk/standalone';
import { connectorModule } from './index.ts';

await runConnectorsAlone(connectorModule);
