export { startSwitchboard, ROUTER_GROUP, consumerGroups, type RunningSwitchboard, type StartOptions } from './switchboard.ts';
export { loadSwitchboardConfig, gatewayEnvSchema, REPO_ROOT, type SwitchboardConfig, type GatewayEnv } from './config.ts';
export { createApiChannel, ApiChannel, ApiMessageBody, toInboundMessage, API_MESSAGES_PATH, API_DEFAULT_ACCOUNT, type ApiChannelOptions } from './api-channel.ts';
export { readApiRoutes, buildReply, ReplyBody, TICKETS_PATH, type ReadApiOptions } from './read-api.ts';
export { healthRoutes, registerPipelineMetrics, readiness, KafkaProbe, type HealthOptions, type Readiness, type LagSource } from './health.ts';
export { connectorsFromEnv, DuplicateConnectorError } from './connectors.ts';
export { startLocalKafka, LocalKafkaError } from './local-kafka.ts';
