/**
 * A minimal YAML writer for plain JSON data (objects, arrays, strings, numbers, booleans, null).
 * Strings are always written as JSON strings, which YAML reads as-is, so nothing needs escaping rules.
 */
export function toYaml(value: unknown, indent = 0): string {
  const pad = '  '.repeat(indent);
  if (Array.isArray(value)) {
    if (value.length === 0) return `${pad}[]\n`;
    return value
      .map((item) => {
        if (isScalar(item)) return `${pad}- ${scalar(item)}\n`;
        const nested = toYaml(item, indent + 1);
        return `${pad}- ${nested.slice(pad.length + 2)}`;
      })
      .join('');
  }
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>);
    if (entries.length === 0) return `${pad}{}\n`;
    return entries
      .map(([key, item]) => {
        const k = /^[A-Za-z_$][\w$.-]*$/.test(key) ? key : JSON.stringify(key);
        if (isScalar(item)) return `${pad}${k}: ${scalar(item)}\n`;
        if (Array.isArray(item) && item.length === 0) return `${pad}${k}: []\n`;
        if (!Array.isArray(item) && Object.keys(item as object).length === 0) return `${pad}${k}: {}\n`;
        return `${pad}${k}:\n${toYaml(item, indent + 1)}`;
      })
      .join('');
  }
  return `${pad}${scalar(value)}\n`;
}

function isScalar(value: unknown): boolean {
  return value === null || typeof value !== 'object';
}

function scalar(value: unknown): string {
  if (value === null || value === undefined) return 'null';
  if (typeof value === 'string') return JSON.stringify(value);
  return String(value);
}
