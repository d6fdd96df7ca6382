import type { z } from 'zod';
import { HttpError } from './server.ts';

/** One line per problem, naming the field: `sender.id: Invalid input: expected string, received undefined`. */
export function describeIssues(issues: readonly z.core.$ZodIssue[]): string {
  return issues.map((issue) => `${issue.path.map(String).join('.') || '(body)'}: ${issue.message}`).join('; ');
}

/** Parses request input with `schema`, or throws 400 with every problem spelled out. */
export function parseBody<S extends z.ZodType>(schema: S, value: unknown, what = 'body'): z.infer<S> {
  const result = schema.safeParse(value);
  if (!result.success) throw new HttpError(400, `invalid ${what}: ${describeIssues(result.error.issues)}`);
  return result.data;
}
