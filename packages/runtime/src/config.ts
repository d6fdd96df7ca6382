import { z } from 'zod';
import { PermanentError } from './errors.ts';

/** Configuration that failed validation: one readable line per problem, naming the env var. */
export class ConfigError extends PermanentError {
  override readonly name = 'ConfigError';
  constructor(
    readonly component: string,
    readonly problems: string[],
  ) {
    super(`invalid configuration for ${component}:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
  }
}

/**
 * Validates `env` against a component's zod schema of env vars. The schema is the single place a
 * component declares its config: validation, defaults and (through `.describe`) documentation.
 */
export function loadConfig<S extends z.ZodType>(component: string, schema: S, env: NodeJS.ProcessEnv = process.env): z.infer<S> {
  const result = schema.safeParse(env);
  if (result.success) return result.data;
  throw new ConfigError(
    component,
    result.error.issues.map((issue) => {
      const key = issue.path.map(String).join('.');
      const value = key && env[key] !== undefined ? ` (got ${JSON.stringify(redactIfSecret(key, env[key]!))})` : '';
      return `${key || '(env)'}: ${issue.message}${value}`;
    }),
  );
}

function redactIfSecret(key: string, value: string): string {
  return /SECRET|TOKEN|PASSWORD|KEY/i.test(key) ? '***' : value;
}

/** Env-var helpers: env values are strings, these turn them into the types a schema wants. */
export const env = {
  bool: (fallback: boolean) =>
    z
      .enum(['true', 'false', '1', '0', 'yes', 'no', ''])
      .optional()
      .transform((v) => (v === undefined || v === '' ? fallback : v === 'true' || v === '1' || v === 'yes')),
  int: (fallback: number, min = 0, max = Number.MAX_SAFE_INTEGER) => z.coerce.number().int().min(min).max(max).default(fallback),
  list: () =>
    z
      .string()
      .optional()
      .transform((v) => (v ?? '').split(',').map((s) => s.trim()).filter(Boolean)),
  optionalString: () =>
    z
      .string()
      .optional()
      .transform((v) => (v === '' ? undefined : v)),
};

/** Schema-described config rendered as a Markdown table, for READMEs. */
export function describeConfig(schema: z.ZodObject): string {
  const rows = Object.entries(schema.shape).map(([key, field]) => {
    const description = (field as z.ZodType).description ?? '';
    return `| \`${key}\` | ${description} |`;
  });
  return ['| variable | meaning |', '| --- | --- |', ...rows].join('\n');
}
