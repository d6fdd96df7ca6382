import { startInProcess, type InProcess } from '@switchboard/testkit';
import type { RunningGateway, StartOptions } from '@switchboard/gateway';
import { loadAllInOneConfig, startAllInOne } from '../src/index.ts';

export const TOKEN = 'test-token-0123456789';
export const MAX_BODY = 4_096;

export type TestSwitchboard = InProcess<RunningGateway>;

/** The all-in-one in this process on the test's own topics and a fresh PostgreSQL database, with the API channel only unless told. */
export function startTestSwitchboard(options: Omit<StartOptions, 'stages'> = {}, extraEnv: Record<string, string> = {}): Promise<TestSwitchboard> {
  return startInProcess((env) => startAllInOne(loadAllInOneConfig(env), { modules: ['api'], ...options }), TOKEN, { API_MAX_BODY_BYTES: String(MAX_BODY), ...extraEnv });
}
