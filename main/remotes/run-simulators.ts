import { ANSWER_VARIANTS, isAnswerVariantName } from './national-portal/answer-variants';
import { PROVINCIAL_ANSWER_VARIANTS, isProvincialAnswerVariantName } from './provincial/answer-variants';
import { startNationalPortalSimulator, TRAINING_DSTCODE, TRAINING_NATIONAL_USER } from './national-portal/national-portal.simulator';
import { startProvincialSimulator, TRAINING_PROVINCIAL_CLIENT } from './provincial/provincial.simulator';
import { portFromEnv } from './simulator-server';

/**
 * Starts both remote twins for manual testing or a training room:
 *   npm run simulators
 *   NATIONAL_PORT=18081 PROVINCIAL_PORT=18082 node bin/run-ts.mjs main/remotes/run-simulators.ts
 *   NATIONAL_ANSWERS=no-result npm run simulators   (how the portal writes its answers, see answer-variants.ts)
 *   PROVINCIAL_ANSWERS=numeric-ids npm run simulators   (how the province writes them, provincial/answer-variants.ts)
 * Faults are set over HTTP on each simulator's admin endpoint (`/__sim/...`, see
 * `simulator-server.ts`). Stops on Ctrl+C / SIGTERM.
 */
async function main(): Promise<void> {
  const host = process.env['SIMULATOR_HOST'] ?? '127.0.0.1';
  const answers = process.env['NATIONAL_ANSWERS'] ?? 'canonical';
  if (!isAnswerVariantName(answers)) throw new RangeError(`NATIONAL_ANSWERS must be one of: ${ANSWER_VARIANTS.join(', ')}`);
  const national = await startNationalPortalSimulator({ port: portFromEnv(process.env['NATIONAL_PORT'], 18081), host, answers });
  const provincialAnswers = process.env['PROVINCIAL_ANSWERS'] ?? 'canonical';
  if (!isProvincialAnswerVariantName(provincialAnswers)) throw new RangeError(`PROVINCIAL_ANSWERS must be one of: ${PROVINCIAL_ANSWER_VARIANTS.join(', ')}`);
  const provincial = await startProvincialSimulator({ port: portFromEnv(process.env['PROVINCIAL_PORT'], 18082), host, answers: provincialAnswers });

  process.stdout.write(
    [
      `national portal simulator:   ${national.url}  (auth /auth, services /service, user ${TRAINING_NATIONAL_USER.username}, dstcode ${TRAINING_DSTCODE})`,
      `provincial system simulator: ${provincial.url}  (token /oauth/token, client ${TRAINING_PROVINCIAL_CLIENT.clientId})`,
      '',
      'faults and state (either simulator):',
      `  curl -X POST ${national.url}/__sim/faults -d '{"failNext":[{"n":2,"kind":"timeout","only":"DongBoHoSoMC"}],"latencyMs":200}'`,
      `  curl ${national.url}/__sim/state          curl -X POST ${provincial.url}/__sim/reset`,
      `  curl -X POST ${provincial.url}/__sim/status -d '{"MaHoSo":"...","TrangThaiHoSo":4}'   (a status change from the province)`,
      `  curl -X POST ${provincial.url}/__sim/faults -d '{"statusFeedOutOfOrder":true}'`,
      `  portal answers (${answers} now): curl -X POST ${national.url}/__sim/faults -d '{"answers":"no-result","refuseProcedures":["9.999999"]}'`,
      `    variants: ${ANSWER_VARIANTS.join(' ')}`,
      `  province answers (${provincialAnswers} now): curl -X POST ${provincial.url}/__sim/faults -d '{"answers":"ok-with-error-body","refuseProcedures":["9.999999"]}'`,
      `    variants: ${PROVINCIAL_ANSWER_VARIANTS.join(' ')}`,
      '  kinds: 500 timeout drop cut garbage bad-shape expire-session slow-body duplicate-ack delay; "skip":N lets N through first; {"clear":true} removes all',
      `  catalogue: LayDanhSachTTHC / LayThuTuc / LayDanhMucCoQuan / LayDanhMucLinhVuc on ${national.url}/service; units: GET ${provincial.url}/api/administrative-units`,
      `  files: POST ${provincial.url}/api/uploads (chunked, resumable, sha256), GET ${provincial.url}/api/files/{id} (Range)`,
      '',
    ].join('\n'),
  );

  let stopping = false;
  const stop = (): void => {
    if (stopping) return;
    stopping = true;
    void Promise.all([national.close(), provincial.close()]).then(() => process.exit(0));
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

main().catch((err: unknown) => {
  process.stderr.write(`could not start the simulators: ${err instanceof Error ? err.message : String(err)}\n`);
  process.exit(1);
});
