import { createTokenProvider } from '../../drivers';
import { BatchSigning } from '../digitise/station/batch-signing.service';
import { readTrainingAnchors, rememberTrainingAnchors, twinCaCertificates } from '../signing/training-anchors';
import { HttpTimestampAuthority } from '../signing/tsa';
import type { Clock } from './clock';
import type { Config } from './config';
import type { Logger } from './logger';
import type { RpcServer } from './rpc-server';
import { effectiveSigning, readTrustAnchors, tokenDriverConfig } from './signing-config';
import type { Store } from '../store/store';

/**
 * The signing part of the composition root: the token provider the configuration asks for (the
 * simulated token in training mode, the configured PKCS#11 module otherwise), the timestamp
 * authority, the trust anchors, and the station's batch signing service.
 */
export function createSigning(opts: {
  config: Config; trainingMode: boolean; store: Store; clock: Clock; log: Logger; rpc: () => RpcServer | null;
  /** Training: the training CAs of earlier runs are trusted and this run's is remembered there (`training-anchors.ts`). */
  dataDir?: string;
}): { signing: BatchSigning; close(): Promise<void> } {
  const settings = effectiveSigning(opts.config.signing, opts.trainingMode);
  const tokens = createTokenProvider(opts.trainingMode ? 'training' : 'production', settings ? tokenDriverConfig(settings) : { kind: 'simulated' });
  const training = opts.trainingMode && opts.dataDir !== undefined ? opts.dataDir : null;
  if (training !== null) {
    // So that `motcua-desk verify` (another process) trusts what this run's training token signs.
    void twinCaCertificates(tokens)
      .then((ders) => rememberTrainingAnchors(training, ders))
      .catch((err: unknown) => opts.log.log('warn', 'signing.training-ca-not-kept', { error: err instanceof Error ? err.message : String(err) }));
  }
  const signing = new BatchSigning({
    store: opts.store, clock: opts.clock, log: opts.log, settings, tokens, agencyName: opts.config.agency.name,
    trustAnchors: [
      ...(opts.config.signing ? readTrustAnchors(opts.config.signing) : []),
      ...(training !== null ? readTrainingAnchors(training) : []),
    ],
    ...(settings?.tsaUrl ? { timestampAuthority: new HttpTimestampAuthority({ url: settings.tsaUrl, ...(settings.tsaTimeoutSeconds ? { timeoutMs: settings.tsaTimeoutSeconds * 1000 } : {}) }) } : {}),
    onEvent: (progress) => opts.rpc()?.broadcast('signing.progress', progress),
  });
  return {
    signing,
    async close() {
      await signing.close();
      await tokens.dispose();
    },
  };
}
