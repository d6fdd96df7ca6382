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

  const v1 = jsonSchemaOf('inbound') as { properties: Record<string, Record<string, unknown>>; required: string[] };
  it('flags a removed field, a new required field, a changed type and a lost enum value', () => {
    const { text: _text, ...withoutText } = v1.properties;
    const changed = {
      ...v1,
      properties: { ...withoutText, channel: { type: 'string', enum: ['email'] }, account: { type: 'number' }, priority: { type: 'string' } },
      required: [...v1.required.filter((r) => r !== 'text'), 'priority'],
    };
    const problems = compatibilityProblems(v1, changed);
    expect(problems).toEqual(
      expect.arrayContaining(['$.text: removed', '$.priority: now required', '$.account: type changed from string to number', expect.stringMatching(/^\$\.channel: enum lost "twitter"/)]),
    );
  });
  it('accepts an added optional field and an added enum value', () => {
    const changed = {
      ...v1,
      properties: { ...v1.properties, mood: { type: 'string' }, channel: { ...v1.properties.channel, enum: [...(v1.properties.channel!.enum as string[]), 'line'] } },
    };
    expect(compatibilityProblems(v1, changed)).toEqual([]);
  });
});
