import { freshDatabase, kafkaForTest } from './index.ts';
/**
 * A person signed in to a running Switchboard, for tests that call its API as the console does: the
 * session cookie on every request, the CSRF token on those that change something.
 */
export interface SignedIn {
  user: { id: string; email: string; role: string; name: string };
  cookie: string;
  csrfToken: string;
  call(path: string, init?: { method?: string; body?: unknown; headers?: Record<string, string> }): Promise<Response>;
  /** A personal API token (`sbu_…`) of this person, for calls with `Authorization: Bearer`. */
  apiToken(name?: string): Promise<string>;
}

export async function signIn(base: string, email: string, password: string): Promise<SignedIn> {
  const response = await fetch(`${base}/api/v1/session`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email, password }) });
  if (response.status !== 200) throw new Error(`sign-in of ${email} answered ${response.status}: ${await response.text()}`);
  const { user, csrfToken } = (await response.json()) as { user: SignedIn['user']; csrfToken: string };
  const cookie = response.headers
    .getSetCookie()
    .map((c) => c.split(';')[0]!)
    .join('; ');
  const call: SignedIn['call'] = (path, init = {}) => {
    const method = init.method ?? (init.body === undefined ? 'GET' : 'POST');
    const headers: Record<string, string> = { cookie, ...(method === 'GET' ? {} : { 'x-csrf-token': csrfToken }), ...init.headers };
    if (init.body !== undefined) headers['content-type'] = 'application/json';
    return fetch(`${base}${path}`, { method, headers, ...(init.body !== undefined ? { body: JSON.stringify(init.body) } : {}) });
  };
  return {
    user,
    cookie,
    csrfToken,
    call,
    async apiToken(name = 'test') {
      const created = await call('/api/v1/tokens', { body: { name } });
      if (created.status !== 201) throw new Error(`token for ${email} answered ${created.status}: ${await created.text()}`);
      return ((await created.json()) as { token: string }).token;
    },
  };
}

/** The first admin every test Switchboard gets from its environment. */
export const TEST_ADMIN = { email: 'admin@wallet.test', password: 'test-admin-passphrase' } as const;
export const TEST_ADMIN_ENV = { SWITCHBOARD_ADMIN_EMAIL: TEST_ADMIN.email, SWITCHBOARD_ADMIN_PASSWORD: TEST_ADMIN.password } as const;

export interface CallInit {
  method?: string;
  body?: unknown;
  raw?: string;
  /** A bearer token instead of the default one; null: none. */
  token?: string | null;
  headers?: Record<string, string>;
}

/**
 * fetch against a test Switchboard as scripts call it: the machine token on the message API, the test
 * admin's personal API token everywhere else (unless `token` says otherwise), a JSON body when given.
 */
export async function apiCaller(base: string, machineToken: string): Promise<(path: string, init?: CallInit) => Promise<Response>> {
  const adminToken = await (await signIn(base, TEST_ADMIN.email, TEST_ADMIN.password)).apiToken('test admin');
  return (path, init = {}) => {
    const headers: Record<string, string> = { ...init.headers };
    const token = init.token === undefined ? (path.startsWith('/api/v1/messages') ? machineToken : adminToken) : init.token;
    if (token !== null) headers.authorization = `Bearer ${token}`;
    let body: string | undefined = init.raw;
    if (init.body !== undefined) body = JSON.stringify(init.body);
    if (body !== undefined) headers['content-type'] = 'application/json';
    return fetch(base + path, { method: init.method ?? (body === undefined ? 'GET' : 'POST'), headers, ...(body !== undefined ? { body } : {}) });
  };
}

export interface InProcess<R> {
  running: R;
  url: string;
  prefix: string;
  kafka: Awaited<ReturnType<typeof kafkaForTest>>['kafka'];
  call(path: string, init?: CallInit): Promise<Response>;
  close(): Promise<void>;
}

/**
 * A Switchboard server started in this process by `start` on the test's own topics and a fresh
 * PostgreSQL database, with the test admin, the machine token `machineToken` and `extraEnv`.
 */
export async function startInProcess<R extends { url: string; stop(): Promise<void> }>(
  start: (env: NodeJS.ProcessEnv) => Promise<R>,
  machineToken: string,
  extraEnv: Record<string, string> = {},
): Promise<InProcess<R>> {
  const { kafka, prefix } = await kafkaForTest();
  const database = await freshDatabase();
  const running = await start({ ...process.env, SWITCHBOARD_TOPIC_PREFIX: prefix, DATABASE_URL: database.url, PORT: '0', SWITCHBOARD_API_TOKEN: machineToken, ...TEST_ADMIN_ENV, ...extraEnv });
  return {
    running,
    url: running.url,
    prefix,
    kafka,
    call: await apiCaller(running.url, machineToken),
    async close() {
      await running.stop();
      await database.drop();
    },
  };
}
