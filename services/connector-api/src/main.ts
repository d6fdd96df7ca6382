/** Runs the API channel alone: `POST /api/v1/messages` to Kafka, with SWITCHBOARD_API_TOKEN as its bearer token. */
import { runConnectorsAlone } from '@switchboard/connector-sdk/standalone';
import { connectorModule } from './index.ts';

await runConnectorsAlone(connectorModule);
