/**
 * No secret in any error or log line: every connector module's secret variables fed bad values (broken
 * JSON, values its spec refuses, values it accepts), with everything else set from the spec's examples,
 * and a marker inside each value that must never come out.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { REPO_ROOT, setLogSink } from '@switchboard/runtime';
import { discoverConnectorModules, type ConnectorModule } from '../src/index.ts';

const MARKER = 'S3cretMarker4711';
const BAD_VALUES = [
  `${MARKER} ${MARKER}`,
  MARKER.slice(0, 6),
  `{"password": "${MARKER}"`,
  `[{"user": "", "password": "${MARKER}", "accessToken": "${MARKER}"}]`,
  `[{"name": 42, "address": "not-an-address", "imap": {"host": "", "user": "u", "password": "${MARKER}"}, "smtp": {"host": ""}}]`,
  `${MARKER}\n${MARKER}`,
  MARKER.repeat(20),
];

const logged: string[] = [];
setLogSink((line) => logged.push(line), 'debug');
afterAll(() => setLogSink((line) => process.stderr.write(`${line}\n`)));

/** Every variable of the spec set to its example: a configuration that turns the channel on. */
function exampleEnv(module: ConnectorModule): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(module.config.fields).flatMap(([name, f]) => (f.doc.example !== undefined ? [[name, f.doc.example]] : [])));
}

/** The same with one ordinary (non-secret) variable broken as well: the error must not dump the environment. */
function withOrdinaryMistake(module: ConnectorModule, env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const ordinary = Object.entries(module.config.fields).find(([, f]) => !f.doc.secret && !f.doc.opaque && f.doc.defaultText !== undefined && /^\d+$|^(true|false)$/.test(f.doc.defaultText));
  return ordinary ? { ...env, [ordinary[0]]: 'not-a-number-or-flag' } : env;
}

const modules = await discoverConnectorModules(REPO_ROOT);

describe('secrets in connector configuration', () => {
  it('are declared by every connector that has them', () => {
    const secretful = modules.filter((m) => m.config.secrets().length > 0).map((m) => m.name);
    expect(secretful).toEqual(expect.arrayContaining(['api', 'chat', 'email', 'twitter', 'wechat']));
  });

  for (const module of modules) {
    for (const name of module.config.secrets()) {
      it(`${module.name}: ${name} never appears in an error or a log line, whatever its value`, async () => {
        let refused = 0;
        const envs = BAD_VALUES.flatMap((value) => {
          const env = { ...exampleEnv(module), [name]: value };
          return [env, withOrdinaryMistake(module, env)];
        });
        for (const env of envs) {
          logged.length = 0;
          const value = env[name];
          let thrown = '';
          try {
            for (const connector of await module.fromEnv(env)) connector.health();
          } catch (error) {
            refused++;
            thrown = error instanceof Error ? `${error.message}\n${error.stack ?? ''}` : String(error);
          }
          expect(thrown, `${name}=${JSON.stringify(value)}`).not.toContain(MARKER.slice(0, 6));
          expect(logged.join('\n'), `${name}=${JSON.stringify(value)}`).not.toContain(MARKER.slice(0, 6));
        }
        // Some configurations are refused, so the error path was taken with the secret set, not only the happy one.
        expect(refused).toBeGreaterThan(0);
      });
    }
  }
});
