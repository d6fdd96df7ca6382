import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_MODEL_PATH, DEFAULT_TAXONOMY_PATH } from '@switchboard/classifier';
import { createLogger, setLogSink } from '@switchboard/runtime';
import { TOPIC_EXAMPLES, type InboundMessage } from '@switchboard/schema';
import { freshDatabase, promoteModelCopy } from '@switchboard/testkit';
import { openTicketStore } from '@switchboard/ticket-store';
import { loadRouterConfig, route, routerClassifier, scheduleRetrain, TRAIN_EXIT } from '../src/index.ts';

const committedVersion = (JSON.parse(readFileSync(DEFAULT_MODEL_PATH, 'utf8')) as { classifierVersion: string }).classifierVersion;
const logs: string[] = [];
const logger = createLogger('router-test');

beforeAll(() => setLogSink((line) => logs.push(line), 'debug'));

const promote = (dir: string, version: string) =>
  promoteModelCopy({ dir, version, modelPath: DEFAULT_MODEL_PATH, taxonomyPath: DEFAULT_TAXONOMY_PATH, taxonomy: { triageThreshold: 1 } });

const inbound = TOPIC_EXAMPLES.inbound as InboundMessage;

describe("the router's classifier", () => {
  it('follows the model registry: a promotion shows in the next routed message, with its version', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'router-models-'));
    const config = loadRouterConfig({ SWITCHBOARD_MODELS_DIR: dir, SWITCHBOARD_MODEL_POLL_SECONDS: '1' }).classifier;
    const { classifier, close } = routerClassifier(config, logger);
    try {
      expect(route(inbound, classifier).classifierVersion).toBe(committedVersion);
      promote(dir, 'hash-linear-feedfeedfeed');
      const deadline = Date.now() + 10_000;
      while (classifier.version !== 'hash-linear-feedfeedfeed' && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
      expect(route(inbound, classifier)).toMatchObject({ classifierVersion: 'hash-linear-feedfeedfeed', triage: true });
      expect(logs.some((line) => line.includes('classifier model swapped') && line.includes('hash-linear-feedfeedfeed'))).toBe(true);
    } finally {
      close();
    }
  });

  it('keeps the one model SWITCHBOARD_CLASSIFIER_MODEL names', () => {
    const dir = mkdtempSync(join(tmpdir(), 'router-models-'));
    promote(dir, 'hash-linear-0000feed0000');
    const config = loadRouterConfig({ SWITCHBOARD_MODELS_DIR: dir, SWITCHBOARD_CLASSIFIER_MODEL: DEFAULT_MODEL_PATH }).classifier;
    expect(routerClassifier(config, logger).classifier.version).toBe(committedVersion);
  });

  it('refuses a scheduled retrain it could not use or run, naming the variables', () => {
    expect(() => loadRouterConfig({ SWITCHBOARD_RETRAIN_INTERVAL_HOURS: '24' }).classifier).toThrow(/SWITCHBOARD_RETRAIN_INTERVAL_HOURS: .*DATABASE_URL/);
    expect(() => loadRouterConfig({ SWITCHBOARD_RETRAIN_INTERVAL_HOURS: '24', DATABASE_URL: 'postgres://x', SWITCHBOARD_CLASSIFIER_MODEL: '/m.json' }).classifier).toThrow(
      /SWITCHBOARD_CLASSIFIER_MODEL pins one model/,
    );
    expect(loadRouterConfig({}).classifier).toMatchObject({ retrainEveryHours: 0, pollSeconds: 5 });
  });

  it('imports only the runtime part of the classifier, never the workbench', () => {
    const src = join(import.meta.dirname, '../src');
    const sources = readdirSync(src, { recursive: true, encoding: 'utf8' })
      .filter((name) => name.endsWith('.ts'))
      .map((name) => readFileSync(join(src, name), 'utf8'));
    const imported = sources.flatMap((source) => [...source.matchAll(/from '(@switchboard\/[^']+)'/g)].map((match) => match[1]));
    expect(imported).toContain('@switchboard/classifier');
    expect(imported).not.toContain('@switchboard/classifier-workbench');
  });
});

describe('the scheduled retrain', () => {
  let database: Awaited<ReturnType<typeof freshDatabase>>;
  beforeAll(async () => {
    database = await freshDatabase();
    await (await openTicketStore({ url: database.url })).close();
  });
  afterAll(async () => {
    await database?.drop();
  });

  it('runs the workbench in a child process, which finds nothing to learn without corrections', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'router-retrain-'));
    const schedule = scheduleRetrain({ everyMs: 3_600_000, logger, env: { DATABASE_URL: database.url, SWITCHBOARD_MODELS_DIR: dir } });
    try {
      expect(await schedule.runNow()).toBe(TRAIN_EXIT.promotedOrUnchanged);
      const done = logs.find((line) => line.includes('scheduled retrain done'));
      expect(done).toMatch(/no corrections to learn from/);
    } finally {
      await schedule.stop();
    }
  }, 120_000);

  it('steps aside while another run holds the registry', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'router-retrain-'));
    writeFileSync(join(dir, '.lock'), JSON.stringify({ pid: 1, at: new Date().toISOString() }));
    const schedule = scheduleRetrain({ everyMs: 3_600_000, logger, env: { DATABASE_URL: database.url, SWITCHBOARD_MODELS_DIR: dir } });
    try {
      expect(await schedule.runNow()).toBe(TRAIN_EXIT.registryBusy);
      expect(logs.some((line) => line.includes('another run holds the registry'))).toBe(true);
    } finally {
      await schedule.stop();
    }
  }, 120_000);
});
