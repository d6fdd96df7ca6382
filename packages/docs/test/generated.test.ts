import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { REPO_ROOT } from '@switchboard/runtime';
import { generatedFiles, renderSections, sectionsIn } from '../src/index.ts';

describe('generated sections', () => {
  const markdown = 'intro\n<!-- generated:config a.ts#spec -->\nold table\n<!-- /generated:config -->\nmiddle\n<!-- generated:channels -->\n<!-- /generated:channels -->\nend\n';

  it('are found with their arguments', () => {
    expect(sectionsIn(markdown)).toEqual([
      { kind: 'config', argument: 'a.ts#spec' },
      { kind: 'channels', argument: '' },
    ]);
  });

  it('are rendered anew and the hand-written text around them is kept', async () => {
    const out = await renderSections(markdown, async (s) => `NEW ${s.kind}\n`);
    expect(out).toBe('intro\n<!-- generated:config a.ts#spec -->\nNEW config\n<!-- /generated:config -->\nmiddle\n<!-- generated:channels -->\nNEW channels\n<!-- /generated:channels -->\nend\n');
    expect(await renderSections(out, async (s) => `NEW ${s.kind}`)).toBe(out);
  });
});

describe('generated files', () => {
  it('are committed as generated (run `pnpm generate` after changing a schema, a config spec or a channel)', async () => {
    const files = await generatedFiles(REPO_ROOT);
    expect(Object.keys(files)).toEqual(expect.arrayContaining(['README.md', 'docs/asyncapi.yaml', 'services/connector-email/README.md']));
    for (const [file, content] of Object.entries(files)) {
      expect(readFileSync(join(REPO_ROOT, file), 'utf8'), `${file} is stale: run pnpm generate`).toBe(content);
    }
  });

  it('list the registered channels in the topic docs and every secret variable as a secret', async () => {
    const files = await generatedFiles(REPO_ROOT);
    expect(files['docs/schemas/cs.messages.inbound.v1.json']).toContain('"examples": [');
    expect(files['README.md']).toMatch(/\| `email` \| Email · 邮件 \|/);
    expect(files['services/connector-email/README.md']).toMatch(/\| `EMAIL_IMAP_PASSWORD` \|[^\n]*\*\*Secret\.\*\*/);
  });
});
