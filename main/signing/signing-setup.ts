import type { EventPayload } from '../../common/contract';
import { createTokenProvider } from '../../drivers';
import type { Clock } from '../kernel/clock';
import type { Logger } from '../kernel/logger';
import type { Store } from '../store/store';
import { BatchSigning } from './batch-signing';
import { effectiveSigning, readTrustAnchors, tokenDriverConfig, type SigningConfig } from './signing-config';
import { readTrainingAnchors, rememberTrainingAnchors, twinCaCertificates } from './training-anchors';
import { HttpTimestampAuthority } from './tsa';

/**
 * The signing part of the composition root (main/core/compose.ts): the token provider the
 * configuration asks for (the simulated token in training mode, the configured PKCS#11 module
 * otherwise), the timestamp authority, the trust anchors, and the station's batch signing service.
 */
export function createSigning(opts: {
  /** The workstation configuration's `signing` section and agency (main/core/config.ts). */
  config: { signing?: SigningConfig | undefined; agency: { name: string } };
  trainingMode: boolean;
  store: Store;
  clock: Clock;
  log: Logger;
  /** Where batch progress goes (the composition root broadcasts it as `signing.progress`). */
  onProgress: (progress: EventPayload<'signing.progress'>) => void;
  /**
   * Training: the training CAs of earlier runs are trusted and this run's is remembered there (`training-anchors.ts`).
   */
  dataDir?: string;
}): { signing: BatchSigning; close(): Promise<void> } {
  const settings = effectiveSigning(opts.config.signing, opts.trainingMode);
  const tokens = createTokenProvider(
    opts.trainingMode ? 'training' : 'production',
    settings ? tokenDriverConfig(settings) : { kind: 'simulated' },
  );
  const training = opts.trainingMode && opts.dataDir !== undefined ? opts.dataDir : null;
  if (training !== null) {
    // So that `motcua-desk verify` (another process) trusts what this run's training token signs.
    void twinCaCertificates(tokens)
      .then((ders) => rememberTrainingAnchors(training, ders))
      .catch((err: unknown) =>
        opts.log.log('warn', 'signing.training-ca-not-kept', {
          error: err instanceof Error ? err.message : String(err),
        }),
      );
  }
  const signing = new BatchSigning({
    store: opts.store,
    clock: opts.clock,
    log: opts.log,
    settings,
    tokens,
    agencyName: opts.config.agency.name,
    trustAnchors: [
      ...(opts.config.signing ? readTrustAnchors(opts.config.signing) : []),
      ...(training !== null ? readTrainingAnchors(training) : []),
    ],
    ...(settings?.tsaUrl
      ? {
          timestampAuthority: new HttpTimestampAuthority({
            url: settings.tsaUrl,
            ...(settings.tsaTimeoutSeconds ? { timeoutMs: settings.tsaTimeoutSeconds * 1000 } : {}),
          }),
        }
      : {}),
    onEvent: opts.onProgress,
  });
  return {
    signing,
    async close() {
      await signing.close();
      await tokens.dispose();
    },
  };
}
