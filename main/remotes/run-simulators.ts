import { join } from 'node:path';
import { ANSWER_VARIANTS, isAnswerVariantName } from './national-portal/answer-variants';
import { PROVINCIAL_ANSWER_VARIANTS, isProvincialAnswerVariantName } from './provincial/answer-variants';
import {
  startNationalPortalSimulator,
  TRAINING_DSTCODE,
  TRAINING_NATIONAL_USER,
} from './national-portal/national-portal.simulator';
import { startProvincialSimulator, TRAINING_PROVINCIAL_CLIENT } from './provincial/provincial.simulator';
import { checkSimAdminToken, newSimAdminToken, SIM_TOKEN_HEADER } from './simulator-admin';
import { portFromEnv } from './simulator-server';

/**
 * Starts both remote twins for manual testing or a training room:
 *   npm run simulators
 *   NATIONAL_PORT=18081 PROVINCIAL_PORT=18082 node bin/run-ts.mjs main/remotes/run-simulators.ts
 *   NATIONAL_ANSWERS=no-result npm run simulators   (how the portal writes its answers, see answer-variants.ts)
 *   PROVINCIAL_ANSWERS=numeric-ids npm run simulators   (how the province writes them, provincial/answer-variants.ts)
 * Faults are set over HTTP on each simulator's admin endpoint (`/__sim/...`, see
 * `simulator-server.ts` and `simulator-admin.ts`), which needs the admin token in the `x-sim-token` header:
 * `SIMULATOR_TOKEN` (16+ characters), else a random one printed at start. With
 * `SIMULATOR_STATE_DIR` the twins keep leases and issued ids there across restarts
 * (`provincial.sqlite`, `national.sqlite`). Stops on Ctrl+C / SIGTERM.
 */
async function main(): Promise<void> {
  const host = process.env['SIMULATOR_HOST'] ?? '127.0.0.1';
  const given = process.env['SIMULATOR_TOKEN'];
  delete process.env['SIMULATOR_TOKEN'];
  const adminToken = given === undefined || given === '' ? newSimAdminToken() : checkSimAdminToken(given);
  const stateDir = process.env['SIMULATOR_STATE_DIR'];
  const kept = (name: string) => (stateDir ? { stateFile: join(stateDir, `${name}.sqlite`) } : {});
  const answers = process.env['NATIONAL_ANSWERS'] ?? 'canonical';
  if (!isAnswerVariantName(answers))
    throw new RangeError(`NATIONAL_ANSWERS must be one of: ${ANSWER_VARIANTS.join(', ')}`);
  const national = await startNationalPortalSimulator({
    port: portFromEnv(process.env['NATIONAL_PORT'], 18081),
    host,
    answers,
    adminToken,
    ...kept('national'),
  });
  const provincialAnswers = process.env['PROVINCIAL_ANSWERS'] ?? 'canonical';
  if (!isProvincialAnswerVariantName(provincialAnswers))
    throw new RangeError(`PROVINCIAL_ANSWERS must be one of: ${PROVINCIAL_ANSWER_VARIANTS.join(', ')}`);
  const provincial = await startProvincialSimulator({
    port: portFromEnv(process.env['PROVINCIAL_PORT'], 18082),
    host,
    answers: provincialAnswers,
    adminToken,
    ...kept('provincial'),
  });

  process.stdout.write(
    [
      `national portal simulator:   ${national.url}  (auth /auth, services /service, user ${TRAINING_NATIONAL_USER.username}, dstcode ${TRAINING_DSTCODE})`,
      `provincial system simulator: ${provincial.url}  (token /oauth/token, client ${TRAINING_PROVINCIAL_CLIENT.clientId})`,
      '',
      `admin token (${given ? 'SIMULATOR_TOKEN' : 'random, this run only'}): ${given ? '(as given)' : adminToken}`,
      `state kept in: ${stateDir ?? '(memory only; set SIMULATOR_STATE_DIR to keep leases across restarts)'}`,
      '',
      `faults and state (either simulator; every call needs -H "${SIM_TOKEN_HEADER}: <token>", here $T):`,
      `  curl -H "${SIM_TOKEN_HEADER}: $T" -X POST ${national.url}/__sim/faults -d '{"failNext":[{"n":2,"kind":"timeout","only":"DongBoHoSoMC"}],"latencyMs":200}'`,
      `  curl -H "${SIM_TOKEN_HEADER}: $T" ${national.url}/__sim/state          curl -H "${SIM_TOKEN_HEADER}: $T" -X POST ${provincial.url}/__sim/reset`,
      `  curl -H "${SIM_TOKEN_HEADER}: $T" -X POST ${provincial.url}/__sim/status -d '{"MaHoSo":"...","TrangThaiHoSo":4}'   (a status change from the province)`,
      `  curl -H "${SIM_TOKEN_HEADER}: $T" -X POST ${provincial.url}/__sim/faults -d '{"statusFeedOutOfOrder":true}'`,
      `  portal answers (${answers} now): curl -H "${SIM_TOKEN_HEADER}: $T" -X POST ${national.url}/__sim/faults -d '{"answers":"no-result","refuseProcedures":["9.999999"]}'`,
      `    variants: ${ANSWER_VARIANTS.join(' ')}`,
      `  province answers (${provincialAnswers} now): curl -H "${SIM_TOKEN_HEADER}: $T" -X POST ${provincial.url}/__sim/faults -d '{"answers":"ok-with-error-body","refuseProcedures":["9.999999"]}'`,
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
