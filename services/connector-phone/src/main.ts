import { runConnectorsAlone } from '@switchboard/connector-sdk/standalone';
import { connectorModule } from './index.ts';

await runConnectorsAlone(connectorModule);
