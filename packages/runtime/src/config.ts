import { z } from 'zod';
import { PermanentError } from './errors.ts';
import { registerSecret } from './logger.ts';

/**
 * Configuration as one spec per component, in the manner of Redpanda Connect: each variable is declared
 * once with its validation, default, documentation and whether it is a secret. The spec validates the
 * environment (`load`), documents it (`table`, the README's config tables) and registers its secrets with
 * the logger's masker, so no component names its secrets by hand and no error echoes one.
 */

/** Configuration that failed validation: one readable line per problem, naming the variable. */
export class ConfigError extends PermanentError {
  override readonly name = 'ConfigError';
  constructor(
    readonly component: string,
    readonly problems: string[],
  ) {
    super(`invalid configuration for ${component}:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
  }
}

export interface FieldDoc {
  description: string;
  /** Never echoed in an error, masked in every log line once loaded. */
  secret: boolean;
  /** Tuning most deployments leave alone: documented in a table of its own. */
  advanced: boolean;
  example?: string;
  /** The default as the docs show it; undefined when there is none. */
  defaultText?: string;
  /** Values that are never worth echoing in an error (JSON documents that may hold secrets). */
  opaque?: boolean;
}

/** Strings inside a JSON field's document that are secrets (a mailbox password in a JSON account list). */
const secretValues = z.registry<{ secret: true }>();

/** A string schema whose values are secrets wherever it sits inside a `field.json(...)` document. */
export function secretString(min = 1): z.ZodString {
  const schema = z.string().min(min);
  secretValues.add(schema, { secret: true });
  return schema;
}

export class Field<T> {
  constructor(
    readonly schema: z.ZodType<T>,
    readonly doc: FieldDoc,
    /** The parts of a loaded value that are secrets, when not the whole value (a URL's password). */
    readonly secretParts?: (value: unknown) => (string | undefined)[],
  ) {}

  private with(doc: Partial<FieldDoc>): Field<T> {
    return new Field(this.schema, { ...this.doc, ...doc }, this.secretParts);
  }
  describe(description: string): Field<T> {
    return this.with({ description });
  }
  secret(): Field<T> {
    return this.with({ secret: true });
  }
  advanced(): Field<T> {
    return this.with({ advanced: true });
  }
  example(example: string): Field<T> {
    return this.with({ example });
  }
  /** How the default reads in the docs, when it is computed (a path under the repository). */
  documentDefault(text: string): Field<T> {
    return this.with({ defaultText: text });
  }
}

const doc = (defaultText?: string, extra: Partial<FieldDoc> = {}): FieldDoc => ({ description: '', secret: false, advanced: false, ...(defaultText !== undefined ? { defaultText } : {}), ...extra });
const emptyToUndefined = (v: string | undefined) => (v === undefined || v.trim() === '' ? undefined : v);
const optionalText = z.string().optional().transform(emptyToUndefined);

/** Builders of the usual kinds of variable: env values are strings, these turn them into what a component wants. */
export const field = {
  /** A string, or undefined when unset or empty. */
  optional: (): Field<string | undefined> => new Field(optionalText, doc()),
  /** A string with a default. */
  text: (fallback: string): Field<string> => new Field(optionalText.transform((v) => v ?? fallback), doc(fallback === '' ? '(empty)' : fallback)),
  /** A string matching `pattern`, or undefined. */
  pattern: (pattern: RegExp, message: string): Field<string | undefined> =>
    new Field(optionalText.pipe(z.string().regex(pattern, message).optional()), doc()),
  /** A key or token: one word, or undefined. A space or line break in one is a copy-paste slip, refused here. */
  token: (min = 1): Field<string | undefined> =>
    new Field(optionalText.pipe(z.string().min(min, `at least ${min} characters`).regex(/^\S+$/, 'one word: no spaces or line breaks').optional()), doc()),
  int: (fallback: number, min = 0, max = Number.MAX_SAFE_INTEGER): Field<number> =>
    new Field(
      optionalText.transform((v) => (v === undefined ? fallback : Number(v))).pipe(z.number('a whole number').int('a whole number').min(min).max(max)),
      doc(String(fallback)),
    ),
  bool: (fallback: boolean): Field<boolean> =>
    new Field(
      z
        .enum(['true', 'false', '1', '0', 'yes', 'no', ''])
        .optional()
        .transform((v) => (v === undefined || v === '' ? fallback : v === 'true' || v === '1' || v === 'yes')),
      doc(String(fallback)),
    ),
  /** Comma-separated values; `fallback` when unset (an empty value is an empty list). */
  list: (fallback: string[] = []): Field<string[]> =>
    new Field(
      z
        .string()
        .optional()
        .transform((v) => (v === undefined ? fallback : v.split(',').map((s) => s.trim()).filter(Boolean))),
      doc(fallback.length ? fallback.join(',') : undefined),
    ),
  /** Comma-separated values, or undefined when unset (an empty value is an empty list): "unset" may mean a computed default. */
  optionalList: (): Field<string[] | undefined> =>
    new Field(
      z
        .string()
        .optional()
        .transform((v) => (v === undefined ? undefined : v.split(',').map((s) => s.trim()).filter(Boolean))),
      doc(),
    ),
  url: (fallback?: string): Field<string> =>
    new Field(fallback === undefined ? z.url() : optionalText.transform((v) => v ?? fallback).pipe(z.url()), doc(fallback)),
  oneOf: <const V extends readonly [string, ...string[]]>(values: V, fallback?: V[number]): Field<V[number] | undefined> =>
    new Field(optionalText.pipe(z.enum(values).optional()).transform((v): V[number] | undefined => v ?? fallback), doc(fallback)),
  /** A connection URL (postgres://user:password@host/db): its password is masked once loaded, the URL is never echoed. */
  connectionUrl: (): Field<string | undefined> =>
    new Field(optionalText, doc(undefined, { opaque: true }), (url) => (typeof url === 'string' ? [passwordOf(url)] : [])),
  /** A JSON document validated by `schema`; never echoed in an error, its `secretString`s masked once loaded. */
  json: <S extends z.ZodType>(schema: S): Field<z.infer<S> | undefined> =>
    new Field(
      optionalText
        .transform((text, ctx) => {
          if (text === undefined) return undefined;
          try {
            return JSON.parse(text) as unknown;
          } catch (error) {
            ctx.addIssue({ code: 'custom', message: jsonProblem(error, text) });
            return z.NEVER;
          }
        })
        .pipe(schema.optional()) as unknown as z.ZodType<z.infer<S> | undefined>,
      doc(undefined, { opaque: true }),
    ),
};

function passwordOf(url: string): string {
  try {
    return decodeURIComponent(new URL(url).password) || '';
  } catch {
    // Not a URL (a libpq key=value string): mask it whole.
    return url;
  }
}

/**
 * Where a JSON document is broken, without quoting it: V8's message quotes the text around the error,
 * which for an account list is a password.
 */
function jsonProblem(error: unknown, text: string): string {
  const message = error instanceof Error ? error.message : '';
  const position = /position (\d+)/.exec(message)?.[1];
  if (position !== undefined) {
    const at = Number(position);
    const line = text.slice(0, at).split('\n').length;
    return `not valid JSON (syntax error at character ${at + 1}, line ${line})`;
  }
  if (/Unexpected end/i.test(message)) return 'not valid JSON (it ends too early: a bracket or quote is not closed)';
  return 'not valid JSON';
}

type FieldsOutput<F extends Record<string, Field<unknown>>> = { [K in keyof F]: F[K] extends Field<infer T> ? T : never };

export class ConfigSpec<F extends Record<string, Field<unknown>>> {
  constructor(
    readonly component: string,
    readonly fields: F,
  ) {}

  /** This spec with more fields (a component's own beside shared ones), under another component name. */
  extend<G extends Record<string, Field<unknown>>>(component: string, more: G): ConfigSpec<F & G> {
    return new ConfigSpec(component, { ...this.fields, ...more });
  }

  /** True when any of `names` is set to something non-empty: a channel starts only when configured. */
  anySet(env: NodeJS.ProcessEnv, names: readonly (keyof F & string)[]): boolean {
    return names.some((name) => Boolean(env[name]?.trim()));
  }

  /**
   * Validates `env`. Every problem names its variable; a value is echoed only when it is neither a
   * secret nor a document. Loaded secrets (and the secret strings inside JSON fields) are registered
   * with the logger, so they are masked in whatever is logged after.
   */
  load(env: NodeJS.ProcessEnv = process.env): FieldsOutput<F> {
    const out: Record<string, unknown> = {};
    const problems: string[] = [];
    for (const [name, spec] of Object.entries(this.fields)) {
      const raw = env[name];
      const result = spec.schema.safeParse(raw);
      if (!result.success) {
        problems.push(...result.error.issues.map((issue) => describeIssue(name, spec.doc, issue, raw)));
        continue;
      }
      out[name] = result.data;
      if (spec.doc.secret && typeof result.data === 'string') registerSecret(result.data);
      for (const part of spec.secretParts?.(result.data) ?? []) registerSecret(part);
      for (const nested of nestedSecrets(spec.schema, result.data)) registerSecret(nested);
    }
    if (problems.length > 0) throw new ConfigError(this.component, problems);
    return out as FieldsOutput<F>;
  }

  /** The variables as Markdown tables: the everyday ones, then the advanced ones when there are any. */
  table(): string {
    const entries = Object.entries(this.fields);
    const render = (rows: [string, Field<unknown>][]) =>
      ['| variable | default | meaning |', '| --- | --- | --- |', ...rows.map(([name, f]) => `| \`${name}\` | ${f.doc.defaultText !== undefined ? `\`${f.doc.defaultText}\`` : ''} | ${meaning(f.doc)} |`)].join('\n');
    const everyday = entries.filter(([, f]) => !f.doc.advanced);
    const advanced = entries.filter(([, f]) => f.doc.advanced);
    return [render(everyday), ...(advanced.length ? ['', 'Advanced:', '', render(advanced)] : [])].join('\n');
  }

  /** Names of the secret variables. */
  secrets(): string[] {
    return Object.entries(this.fields)
      .filter(([, f]) => f.doc.secret || f.doc.opaque)
      .map(([name]) => name);
  }
}

export function configSpec<F extends Record<string, Field<unknown>>>(component: string, fields: F): ConfigSpec<F> {
  return new ConfigSpec(component, fields);
}

function meaning(d: FieldDoc): string {
  const text = d.description.replace(/\|/g, '\\|');
  return [text, d.secret ? '**Secret.**' : '', d.example ? `Example: \`${d.example.replace(/\|/g, '\\|')}\`.` : ''].filter(Boolean).join(' ');
}

function describeIssue(name: string, d: FieldDoc, issue: z.core.$ZodIssue, raw: string | undefined): string {
  const inner = issue.path.length ? issue.path.map((p) => (typeof p === 'number' ? `[${p}]` : `.${String(p)}`)).join('') : '';
  const echo = raw !== undefined && !d.secret && !d.opaque && raw.length <= 200 ? ` (got ${JSON.stringify(raw)})` : '';
  return `${name}${inner}: ${issue.message}${inner ? '' : echo}`;
}

/** The values of `secretString` schemas inside a parsed value, found by walking its schema alongside it. */
function nestedSecrets(schema: z.ZodType, value: unknown): string[] {
  if (value === undefined || value === null) return [];
  if (secretValues.has(schema)) return typeof value === 'string' ? [value] : [];
  const def = (schema as unknown as { _zod: { def: Record<string, unknown> } })._zod.def;
  switch (def.type) {
    case 'object': {
      const shape = def.shape as Record<string, z.ZodType>;
      return Object.entries(shape).flatMap(([key, child]) => nestedSecrets(child, (value as Record<string, unknown>)[key]));
    }
    case 'array':
      return Array.isArray(value) ? value.flatMap((item) => nestedSecrets(def.element as z.ZodType, item)) : [];
    case 'optional':
    case 'nullable':
    case 'default':
    case 'prefault':
    case 'readonly':
      return nestedSecrets(def.innerType as z.ZodType, value);
    case 'pipe':
      return [...nestedSecrets(def.out as z.ZodType, value)];
    default:
      return [];
  }
}
