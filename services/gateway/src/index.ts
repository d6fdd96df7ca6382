export { startGateway, type RunningGateway, type StartOptions, type SharedResources, type GatewayStage } from './gateway.ts';
export { loadGatewayConfig, gatewayConfig, REPO_ROOT, type GatewayConfig } from './config.ts';
export { readApiRoutes, buildReply, ReplyBody, TICKETS_PATH, type ReadApiOptions } from './read-api.ts';
export { replyHistoryOf, agentReplyDecision } from './reply-window.ts';
export { healthRoutes, registerPipelineMetrics, readiness, KafkaProbe, type HealthOptions, type Readiness, type LagSource } from './health.ts';
export { connectorsFromModules, DuplicateConnectorError, UndeclaredChannelError } from './connectors.ts';
export { runFromCommandLine, type CommandLine } from './run.ts';
export { startLocalKafka, LocalKafkaError } from './local-kafka.ts';
export { ticketWorkRoutes, type TicketWorkOptions } from './ticket-work.ts';
