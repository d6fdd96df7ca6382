import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { compatibilityProblems, jsonSchemaOf, TOPIC_SPECS, type TopicRole } from '../src/index.ts';

const publishedDir = join(import.meta.dirname, '../published');

describe('schema evolution', () => {
  const versions = readdirSync(publishedDir);
  for (const version of versions) {
    for (const role of Object.keys(TOPIC_SPECS) as TopicRole[]) {
      it(`${TOPIC_SPECS[role].name} is compatible with its published ${version}`, () => {
        const published = JSON.parse(readFileSync(join(publishedDir, version, `${TOPIC_SPECS[role].name}.json`), 'utf8'));
        expect(compatibilityProblems(published, jsonSchemaOf(role))).toEqual([]);
      });
    }
  }

  const v1 = jsonSchemaOf('routed') as { properties: Record<string, Record<string, unknown>>; required: string[] };
  it('flags a removed field, a new required field, a changed type and a lost enum value', () => {
    const { text: _text, ...withoutText } = v1.properties;
    const changed = {
      ...v1,
      properties: { ...withoutText, language: { type: 'string', enum: ['en'] }, account: { type: 'number' }, mood: { type: 'string' } },
      required: [...v1.required.filter((r) => r !== 'text'), 'mood'],
    };
    const problems = compatibilityProblems(v1, changed);
    expect(problems).toEqual(
      expect.arrayContaining(['$.text: removed', '$.mood: now required', '$.account: type changed from string to number', expect.stringMatching(/^\$\.language: enum lost "zh-Hans"/)]),
    );
  });
  it('accepts an enum opened into a pattern that matches every old value, and refuses one that does not', () => {
    const published = { type: 'object', properties: { channel: { type: 'string', enum: ['email', 'twitter'] } } };
    const opened = { type: 'object', properties: { channel: { type: 'string', pattern: '^[a-z][a-z0-9_-]{0,31}$' } } };
    const tooNarrow = { type: 'object', properties: { channel: { type: 'string', pattern: '^e[a-z]*$' } } };
    expect(compatibilityProblems(published, opened)).toEqual([]);
    expect(compatibilityProblems(published, tooNarrow)).toEqual(['$.channel: the pattern that replaced the enum rejects "twitter"']);
    expect(compatibilityProblems(opened, tooNarrow)).toEqual(['$.channel: pattern changed']);
    expect(compatibilityProblems(opened, published)).toEqual(['$.channel: closed into an enum']);
  });
  it('accepts an added optional field and an added enum value', () => {
    const changed = {
      ...v1,
      properties: { ...v1.properties, mood: { type: 'string' }, language: { ...v1.properties.language, enum: [...(v1.properties.language!.enum as string[]), 'ja'] } },
    };
    expect(compatibilityProblems(v1, changed)).toEqual([]);
  });
  it('takes the envelope\'s event as an optional addition to the published v1, and would catch it made required', () => {
    for (const role of ['inbound', 'routed'] as const) {
      const published = JSON.parse(readFileSync(join(publishedDir, 'v1', `${TOPIC_SPECS[role].name}.json`), 'utf8')) as { properties: Record<string, unknown> };
      const current = jsonSchemaOf(role) as { properties: Record<string, unknown>; required: string[] };
      expect(published.properties.event).toBeUndefined();
      expect(current.properties.event).toMatchObject({ type: 'object', required: ['type'] });
      expect(current.required).not.toContain('event');
      expect(compatibilityProblems(published, current)).toEqual([]);
      expect(compatibilityProblems(published, { ...current, required: [...current.required, 'event'] })).toEqual(['$.event: now required']);
    }
  });
});
