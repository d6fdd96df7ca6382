import type { z } from 'zod';
import { PermanentError } from '@switchboard/runtime/errors';

/** A value that does not match its topic's schema; `message` names each failing field. */
export class SchemaError extends PermanentError {
  override readonly name = 'SchemaError';
  constructor(
    readonly schemaName: string,
    readonly issues: readonly { path: PropertyKey[]; message: string }[],
  ) {
    super(`${schemaName}: ${issues.map((i) => `${i.path.map(String).join('.') || '(root)'}: ${i.message}`).join('; ')}`);
  }
}

export function parseWith<S extends z.ZodType>(schema: S, schemaName: string, value: unknown): z.infer<S> {
  const result = schema.safeParse(value);
  if (!result.success) throw new SchemaError(schemaName, result.error.issues);
  return result.data;
}
