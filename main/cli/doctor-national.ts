import { createNationalPortalClient } from '../remotes/national-portal/national-portal.client';

export type NationalCheckStatus = 'ok' | 'warn' | 'fail';
type Add = (name: string, status: NationalCheckStatus, detail: string) => void;

/** `remotes.national` of the configuration, with what the check needs besides. */
export interface NationalCheckTarget {
  baseUrl: string;
  username: string;
  passwordEnv: string;
  dstcode: string;
  /** The desk's agency code (`agency.id`), sent as `madonvi`. */
  agencyCode: string;
}

/** A personal id no citizen holds: the lookup must come back "not found", whatever way the portal writes it. */
const NOBODY = '000000000000';

/**
 * `doctor`: the national portal as the sync uses it. Logs in, then asks TraCuuHoSo for a dossier
 * code that cannot exist and TraCuuTechID for an id nobody holds. Both must be answered "not
 * found" in whichever way the portal writes it (docs/architecture.md, "Sync" → answers: `[]`,
 * `null`, no `result`, an error with "Không tìm thấy"); a refusal, a bad body, a timeout or
 * refused credentials fail the check with the reason. Nothing is written to the portal.
 */
export async function checkNationalPortal(
  target: NationalCheckTarget,
  env: NodeJS.ProcessEnv,
  add: Add,
  timeoutMs = 5000,
): Promise<void> {
  const password = env[target.passwordEnv];
  if (!password) {
    add(
      'remote.national',
      'fail',
      `biến môi trường ${target.passwordEnv} (remotes.national.passwordEnv) chưa được đặt`,
    );
    return;
  }
  const client = createNationalPortalClient({
    baseUrl: target.baseUrl,
    username: target.username,
    password,
    dstcode: target.dstcode,
    agencyCode: target.agencyCode,
    timeoutMs,
  });
  try {
    await client.lookupDossier(`${target.agencyCode}-000000-0000`);
    await client.lookupCitizen(NOBODY);
    add(
      'remote.national',
      'ok',
      `${target.baseUrl}: đăng nhập, tra cứu hồ sơ (TraCuuHoSo) và công dân (TraCuuTechID) được`,
    );
  } catch (err) {
    add('remote.national', 'fail', `${target.baseUrl}: ${err instanceof Error ? err.message : String(err)}`);
  }
}
