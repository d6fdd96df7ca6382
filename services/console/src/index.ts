export { createConsole, CONSOLE_API, CONSOLE_PATH, type OperatorConsole, type ConsoleDeps } from './console.ts';
export { channelHealth, type ChannelHealth } from './channels.ts';
export { DeadLetters, type DeadLetterEntry, type ReplayOutcome } from './dead-letters.ts';
export { ratesFrom, type CounterSample, type LagSource, type PipelineStats, type TopicRates } from './pipeline.ts';
