import { LiveClassifier, loadClassifier, registryDirFromEnv, type Classifier } from '@switchboard/classifier';
import type { Logger } from '@switchboard/runtime';
import type { ClassifierSettings } from './config.ts';

/**
 * The classifier the router uses: the model file SWITCHBOARD_CLASSIFIER_MODEL names, kept for the
 * process's life; otherwise the model registry's current model, followed as it is promoted or
 * rolled back (every SWITCHBOARD_MODEL_POLL_SECONDS), without a restart.
 */
export function routerClassifier(settings: ClassifierSettings, logger: Logger, env: NodeJS.ProcessEnv = process.env): { classifier: Classifier; close(): void } {
  if (settings.model) return { classifier: loadClassifier(settings.model), close: () => undefined };
  const registryDir = registryDirFromEnv({ ...env, ...(settings.modelsDir ? { SWITCHBOARD_MODELS_DIR: settings.modelsDir } : {}) });
  const live = new LiveClassifier({
    registryDir,
    pollMs: settings.pollSeconds * 1000,
    onSwap: ({ from, to }) => logger.info('classifier model swapped', { from, to, registry: registryDir }),
    onError: (error) => logger.error('classifier model not swapped: the model in use stays', { error, registry: registryDir }),
  });
  logger.info('classifier follows the model registry', { registry: registryDir, classifierVersion: live.version });
  return { classifier: live, close: () => live.close() };
}
