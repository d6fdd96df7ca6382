import { startInProcess, type InProcess } from '@switchboard/testkit';
import { loadGatewayConfig, startGateway, type RunningGateway, type StartOptions } from '../src/index.ts';

export const TOKEN = 'test-token-0123456789';
export const MAX_BODY = 4_096;

export type TestGateway = InProcess<RunningGateway>;

/** The gateway in this process on the test's own topics and a fresh PostgreSQL database, with the API channel only unless told. */
export function startTestGateway(options: StartOptions = {}, extraEnv: Record<string, string> = {}): Promise<TestGateway> {
  return startInProcess((env) => startGateway(loadGatewayConfig(env), { modules: ['api'], ...options }), TOKEN, { API_MAX_BODY_BYTES: String(MAX_BODY), ...extraEnv });
}
