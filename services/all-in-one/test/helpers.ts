import { freshDatabase, kafkaForTest } from '@switchboard/testkit';
import type { RunningGateway, StartOptions } from '@switchboard/gateway';
import { loadAllInOneConfig, startAllInOne } from '../src/index.ts';

export const TOKEN = 'test-token-0123456789';
export const MAX_BODY = 4_096;

export interface TestSwitchboard {
  running: RunningGateway;
  url: string;
  prefix: string;
  kafka: Awaited<ReturnType<typeof kafkaForTest>>['kafka'];
  /** fetch with the bearer token (unless `token: null`) and a JSON body when `body` is given. */
  call(path: string, init?: { method?: string; body?: unknown; raw?: string; token?: string | null; headers?: Record<string, string> }): Promise<Response>;
  close(): Promise<void>;
}

/** The all-in-one in this process on the test's own topics and a fresh PostgreSQL database, with the API channel only unless told. */
export async function startTestSwitchboard(options: Omit<StartOptions, 'stages'> = {}, extraEnv: Record<string, string> = {}): Promise<TestSwitchboard> {
  const { kafka, prefix } = await kafkaForTest();
  const database = await freshDatabase();
  const config = loadAllInOneConfig({
    ...process.env,
    SWITCHBOARD_TOPIC_PREFIX: prefix,
    DATABASE_URL: database.url,
    PORT: '0',
    SWITCHBOARD_API_TOKEN: TOKEN,
    API_MAX_BODY_BYTES: String(MAX_BODY),
    ...extraEnv,
  });
  const running = await startAllInOne(config, { modules: ['api'], ...options });
  return {
    running,
    url: running.url,
    prefix,
    kafka,
    call(path, init = {}) {
      const headers: Record<string, string> = { ...init.headers };
      if (init.token !== null) headers.authorization = `Bearer ${init.token ?? TOKEN}`;
      let body: string | undefined = init.raw;
      if (init.body !== undefined) body = JSON.stringify(init.body);
      if (body !== undefined) headers['content-type'] = 'application/json';
      return fetch(running.url + path, { method: init.method ?? (body === undefined ? 'GET' : 'POST'), headers, ...(body !== undefined ? { body } : {}) });
    },
    async close() {
      await running.stop();
      await database.drop();
    },
  };
}
