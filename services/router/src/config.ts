import { ConfigError, configSpec, field, isTimeZone } from '@switchboard/runtime';
import { kafkaConfig } from '@switchboard/kafka';
import { z } from 'zod';
import { DEFAULT_REFERENCE_PATTERNS, DEFAULT_TIME_ZONE, ReferencePattern, compileReferences, type EntityOptions } from './entities/index.ts';

export const DEFAULT_ROUTER_GROUP = 'switchboard-router';

/** Which model classifies, and how it is kept current; the all-in-one reads these too. */
export const classifierFields = {
  SWITCHBOARD_CLASSIFIER_MODEL: field
    .optional()
    .describe("Path of a classifier model artifact to use and keep. Unset: the model registry's current model (the committed model while it has none)."),
  SWITCHBOARD_MODELS_DIR: field.optional().describe('The model registry. Unset: `models` under SWITCHBOARD_DATA_DIR (default `.data`).').advanced(),
  SWITCHBOARD_MODEL_POLL_SECONDS: field
    .int(5, 0, 3600)
    .describe('How often the registry is looked at for a newly promoted model or a rollback; 0: never (the model loaded at start stays).')
    .advanced(),
  SWITCHBOARD_RETRAIN_INTERVAL_HOURS: field
    .int(0, 0, 24 * 365)
    .describe("Retrain on agents' corrections every this many hours (`pnpm train --with-corrections`, promoted only if it passes the shadow evaluation); 0: off. Needs DATABASE_URL."),
};

/** How entities are read; the all-in-one reads these too. */
export const entityFields = {
  SWITCHBOARD_ENTITY_TIME_ZONE: field
    .text(DEFAULT_TIME_ZONE)
    .describe("IANA time zone in which customers' dates and times (\"yesterday at 3pm\", `昨天下午三点`) are read against the message's sentAt."),
  SWITCHBOARD_REFERENCE_PATTERNS: field
    .json(z.array(ReferencePattern).min(1).max(50))
    .describe(
      'JSON list of `{"kind": "transaction"|"order"|"refund", "pattern": "<regular expression whose first group is the id>"}`, tried in order (case-insensitive; the first to match a stretch of text keeps it), replacing the defaults. Unset: `TX…`, `RF…`, and ids after `transaction`/`交易单号`/`流水号`, `order #`/`订单号`, `refund`/`退款单号` (Simplified and Traditional).',
    )
    .example('[{"kind":"order","pattern":"\\b(ORD-\\d{6,})\\b"}]'),
};

interface EntityVariables {
  SWITCHBOARD_ENTITY_TIME_ZONE: string;
  SWITCHBOARD_REFERENCE_PATTERNS?: ReferencePattern[] | undefined;
}

/** The entity reader's settings, refused with the variable named when the time zone is unknown. */
export function entitySettings(component: string, cfg: EntityVariables): EntityOptions {
  if (!isTimeZone(cfg.SWITCHBOARD_ENTITY_TIME_ZONE)) {
    throw new ConfigError(component, [`SWITCHBOARD_ENTITY_TIME_ZONE: not a time zone this Node knows (an IANA name such as Asia/Shanghai) (got ${JSON.stringify(cfg.SWITCHBOARD_ENTITY_TIME_ZONE)})`]);
  }
  return { timeZone: cfg.SWITCHBOARD_ENTITY_TIME_ZONE, references: compileReferences(cfg.SWITCHBOARD_REFERENCE_PATTERNS ?? DEFAULT_REFERENCE_PATTERNS) };
}

export const routerConfig = configSpec('router', {
  ...kafkaConfig.fields,
  ...classifierFields,
  ...entityFields,
  DATABASE_URL: field.connectionUrl().describe('The ticket store a scheduled retrain reads the corrections from.'),
  SWITCHBOARD_ROUTER_GROUP: field
    .text(DEFAULT_ROUTER_GROUP)
    .describe('Kafka consumer group of the router (under SWITCHBOARD_TOPIC_PREFIX); instances in one group share partitions.')
    .advanced(),
});
export type RouterConfig = ReturnType<typeof routerConfig.load>;

export interface ClassifierSettings {
  /** One model kept for the process's life; unset: the registry's current model, followed. */
  model?: string;
  modelsDir?: string;
  pollSeconds: number;
  retrainEveryHours: number;
}

interface ClassifierVariables {
  SWITCHBOARD_CLASSIFIER_MODEL?: string | undefined;
  SWITCHBOARD_MODELS_DIR?: string | undefined;
  SWITCHBOARD_MODEL_POLL_SECONDS: number;
  SWITCHBOARD_RETRAIN_INTERVAL_HOURS: number;
}

/** The classifier's settings, refused with the variables named when they cannot work together. */
export function classifierSettings(component: string, cfg: ClassifierVariables, databaseUrl: string | undefined): ClassifierSettings {
  const problems: string[] = [];
  if (cfg.SWITCHBOARD_RETRAIN_INTERVAL_HOURS > 0 && !databaseUrl) {
    problems.push('SWITCHBOARD_RETRAIN_INTERVAL_HOURS: a scheduled retrain reads the corrections from the ticket store: set DATABASE_URL too (the embedded PGlite belongs to the process that runs it)');
  }
  if (cfg.SWITCHBOARD_RETRAIN_INTERVAL_HOURS > 0 && cfg.SWITCHBOARD_CLASSIFIER_MODEL) {
    problems.push('SWITCHBOARD_RETRAIN_INTERVAL_HOURS: SWITCHBOARD_CLASSIFIER_MODEL pins one model, so a retrained one would never be used: unset one of the two');
  }
  if (problems.length > 0) throw new ConfigError(component, problems);
  return {
    ...(cfg.SWITCHBOARD_CLASSIFIER_MODEL ? { model: cfg.SWITCHBOARD_CLASSIFIER_MODEL } : {}),
    ...(cfg.SWITCHBOARD_MODELS_DIR ? { modelsDir: cfg.SWITCHBOARD_MODELS_DIR } : {}),
    pollSeconds: cfg.SWITCHBOARD_MODEL_POLL_SECONDS,
    retrainEveryHours: cfg.SWITCHBOARD_RETRAIN_INTERVAL_HOURS,
  };
}

export function loadRouterConfig(env: NodeJS.ProcessEnv = process.env): RouterConfig & { classifier: ClassifierSettings; entities: EntityOptions } {
  const cfg = routerConfig.load(env);
  return { ...cfg, classifier: classifierSettings('router', cfg, cfg.DATABASE_URL), entities: entitySettings('router', cfg) };
}
