import { startGateway, type RunningGateway, type StartOptions } from '@switchboard/gateway';
import type { AllInOneConfig } from './config.ts';
import { pipelineStages } from './pipeline.ts';

export { allInOneConfig, loadAllInOneConfig, type AllInOneConfig } from './config.ts';
export { pipelineStages } from './pipeline.ts';

/** The whole pipeline in this process, as `pnpm start` runs it (tests use it in process). */
export function startAllInOne(config: AllInOneConfig, options: Omit<StartOptions, 'stages'> = {}): Promise<RunningGateway> {
  return startGateway(config, { title: 'switchboard', ...options, stages: pipelineStages(config) });
}
