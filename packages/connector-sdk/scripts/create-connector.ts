/**
 * pnpm create-connector <name> [--dir services]: scaffolds services/connector-<name> from
 * templates/connector: a signed-webhook connector that builds, passes the conformance kit and is
 * found by `pnpm start` (its package.json marks it as a connector) once its env is set.
 */
import { mkdirSync, readdirSync, readFileSync, statSync, writeFileSync, existsSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const templates = join(here, '../templates/connector');
const repo = join(here, '../../..');

export function scaffoldConnector(name: string, repoRoot = repo): string {
  const servicesDir = join(repoRoot, 'services');
  if (!/^[a-z][a-z0-9]*(-[a-z0-9]+)*$/.test(name) || name.length > 30) {
    throw new Error(`"${name}" is not a valid connector name: lower-case letters, digits and single dashes, starting with a letter`);
  }
  const target = join(servicesDir, `connector-${name}`);
  if (existsSync(target)) throw new Error(`${relative(repoRoot, target)} already exists`);
  const words = name.split('-');
  const pascal = words.map((p) => p[0]!.toUpperCase() + p.slice(1)).join('');
  const substitutions: [string, string][] = [
    ['__Label__', words.map((p) => p[0]!.toUpperCase() + p.slice(1)).join(' ')],
    ['__NAME__', name.toUpperCase().replace(/-/g, '_')],
    ['__Name__', pascal],
    ['__camel__', pascal[0]!.toLowerCase() + pascal.slice(1)],
    ['__name__', name],
  ];
  const copy = (from: string, to: string) => {
    for (const entry of readdirSync(from)) {
      const source = join(from, entry);
      if (statSync(source).isDirectory()) {
        mkdirSync(join(to, entry), { recursive: true });
        copy(source, join(to, entry));
        continue;
      }
      let text = readFileSync(source, 'utf8');
      for (const [token, value] of substitutions) text = text.split(token).join(value);
      writeFileSync(join(to, entry.replace(/\.tmpl$/, '')), text);
    }
  };
  mkdirSync(target, { recursive: true });
  copy(templates, target);
  return target;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const name = process.argv[2];
  if (!name || name === '--help') {
    console.error('usage: pnpm create-connector <name>\n  scaffolds services/connector-<name>: config, connector, normalize, tests with the conformance kit');
    process.exit(name ? 0 : 2);
  }
  try {
    const target = scaffoldConnector(name);
    console.log(`created ${relative(repo, target)}
next:
  pnpm vitest run ${relative(repo, target)}      # the conformance kit and its own tests
  pnpm install                                   # when you add dependencies of its own
  ${name.toUpperCase().replace(/-/g, '_')}_WEBHOOK_SECRET=... pnpm start   # pnpm start finds it once configured
then read docs/adding-a-connector.md`);
  } catch (error) {
    console.error((error as Error).message);
    process.exit(1);
  }
}
