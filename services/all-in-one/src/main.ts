/** `pnpm start`: the whole pipeline in one process (gateway, connectors, router, ticket sink). */
import { runFromCommandLine } from '@switchboard/gateway';
import { loadAllInOneConfig } from './config.ts';
import { pipelineStages } from './pipeline.ts';

await runFromCommandLine({ title: 'switchboard', load: loadAllInOneConfig, options: (config) => ({ stages: pipelineStages(config) }) });
