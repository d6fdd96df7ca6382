/**
 * Compatibility of a topic's value schema with its published version, on JSON Schema documents.
 * A change is compatible when every record valid under the published schema is still valid (readers
 * of the new schema read old records) and no field a reader may rely on disappears or changes type:
 * - fields may be added only as optional; no field may be removed or made required;
 * - a field's type may not change; enums may gain values (readers must tolerate unknown ones), not lose them;
 * - limits (min/max lengths, patterns) may be relaxed, not tightened; an enum may open into a pattern
 *   that every one of its values matches (a closed set of ids becoming a registry).
 * Anything else needs a new topic (`.v2`) produced alongside the old one; see docs/schema-evolution.md.
 */
type Json = Record<string, unknown>;

function asObject(value: unknown): Json | undefined {
  return value && typeof value === 'object' && !Array.isArray(value) ? (value as Json) : undefined;
}

function types(schema: Json): string[] {
  const t = schema.type;
  if (Array.isArray(t)) return t.map(String).sort();
  if (typeof t === 'string') return [t];
  const variants = (schema.anyOf ?? schema.oneOf) as Json[] | undefined;
  if (variants) return [...new Set(variants.flatMap((v) => types(v)))].sort();
  if (schema.const !== undefined) return [typeof schema.const];
  return [];
}

export function compatibilityProblems(published: unknown, current: unknown, path = '$'): string[] {
  const before = asObject(published);
  const after = asObject(current);
  if (!before) return [];
  if (!after) return [`${path}: removed`];
  const problems: string[] = [];

  const beforeTypes = types(before);
  const afterTypes = types(after);
  if (beforeTypes.length > 0 && afterTypes.length > 0 && beforeTypes.some((t) => !afterTypes.includes(t) && !(t === 'integer' && afterTypes.includes('number')))) {
    problems.push(`${path}: type changed from ${beforeTypes.join('|')} to ${afterTypes.join('|')}`);
  }
  if (Array.isArray(before.enum)) {
    const allowed = new Set(Array.isArray(after.enum) ? after.enum : []);
    const lost = before.enum.filter((v) => Array.isArray(after.enum) && !allowed.has(v));
    if (lost.length) problems.push(`${path}: enum lost ${lost.map((v) => JSON.stringify(v)).join(', ')}`);
  }
  if (typeof before.pattern === 'string' && after.pattern === undefined && Array.isArray(after.enum)) problems.push(`${path}: closed into an enum`);
  if (before.const !== undefined && after.const !== undefined && before.const !== after.const) problems.push(`${path}: const changed`);
  for (const key of ['minLength', 'minimum', 'minItems'] as const) {
    if (typeof after[key] === 'number' && (typeof before[key] !== 'number' || (after[key] as number) > (before[key] as number))) problems.push(`${path}: ${key} tightened`);
  }
  for (const key of ['maxLength', 'maximum', 'maxItems'] as const) {
    if (typeof after[key] === 'number' && (typeof before[key] !== 'number' || (after[key] as number) < (before[key] as number))) problems.push(`${path}: ${key} tightened`);
  }
  if (Array.isArray(before.enum) && !Array.isArray(after.enum) && typeof after.pattern === 'string' && before.pattern === undefined) {
    const pattern = new RegExp(after.pattern, 'u');
    const rejected = before.enum.filter((v) => typeof v !== 'string' || !pattern.test(v));
    if (rejected.length) problems.push(`${path}: the pattern that replaced the enum rejects ${rejected.map((v) => JSON.stringify(v)).join(', ')}`);
  } else if (typeof after.pattern === 'string' && after.pattern !== before.pattern) problems.push(`${path}: pattern changed`);

  const beforeProps = asObject(before.properties) ?? {};
  const afterProps = asObject(after.properties) ?? {};
  const beforeRequired = new Set((before.required as string[] | undefined) ?? []);
  for (const name of Object.keys(beforeProps)) {
    if (!(name in afterProps)) problems.push(`${path}.${name}: removed`);
    else problems.push(...compatibilityProblems(beforeProps[name], afterProps[name], `${path}.${name}`));
  }
  for (const name of (after.required as string[] | undefined) ?? []) {
    if (!beforeRequired.has(name)) problems.push(`${path}.${name}: now required`);
  }
  if (before.items) problems.push(...compatibilityProblems(before.items, after.items, `${path}[]`));
  const beforeAdditional = asObject(before.additionalProperties);
  if (beforeAdditional) problems.push(...compatibilityProblems(beforeAdditional, after.additionalProperties, `${path}{}`));
  return problems;
}
