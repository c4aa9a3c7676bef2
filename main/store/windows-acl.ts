import { execFileSync } from 'node:child_process';
import { userInfo } from 'node:os';

/**
 * Windows has no modes: the data folder is narrowed with its ACL instead (docs/operations.md,
 * "Data at rest"). Inheritance from the profile is cut and full control is granted to the service
 * user and SYSTEM only (SYSTEM: the backup agent and the OS itself), folders and files below
 * inheriting it. `icacls` ships with every Windows since Vista; it is run, never a shell.
 */

/** Well-known SID of LocalSystem, written `*SID` so the name's language does not matter. */
export const SYSTEM_SID = '*S-1-5-18';

/** Runs a program with arguments and returns its standard output (throws on a non-zero exit). */
export type CommandRunner = (file: string, args: string[]) => string;

const defaultRunner: CommandRunner = (file, args) => execFileSync(file, args, { encoding: 'utf8', windowsHide: true });

/** `DOMAIN\user` of the process, the account the ACL is granted to. */
export function serviceAccount(env: NodeJS.ProcessEnv = process.env): string {
  const user = env.USERNAME ?? userInfo().username;
  return env.USERDOMAIN ? `${env.USERDOMAIN}\\${user}` : user;
}

/** The `icacls` arguments that leave `dir` to `account` and SYSTEM alone, recursively by inheritance. */
export function restrictArgs(dir: string, account: string): string[] {
  return [dir, '/inheritance:r', '/grant:r', `${account}:(OI)(CI)F`, '/grant:r', `${SYSTEM_SID}:(OI)(CI)F`];
}

/**
 * Narrows the data folder's ACL (Windows only; returns false elsewhere). A failure is thrown with
 * icacls' message so the caller logs it; the desk still starts (the profile ACL still applies).
 */
export function restrictDataDirAcl(
  dir: string,
  opts: { platform?: NodeJS.Platform; run?: CommandRunner; env?: NodeJS.ProcessEnv } = {},
): boolean {
  if ((opts.platform ?? process.platform) !== 'win32') return false;
  (opts.run ?? defaultRunner)('icacls', restrictArgs(dir, serviceAccount(opts.env)));
  return true;
}

export interface AclEntry {
  principal: string;
  rights: string;
}

/**
 * The entries of `icacls <dir>` output: the first line starts with the path, later ones with
 * spaces; each holds `PRINCIPAL:(flags)(rights)`. The closing "Successfully processed" line and
 * blank lines are skipped.
 */
export function parseIcacls(output: string, dir: string): AclEntry[] {
  const entries: AclEntry[] = [];
  for (const raw of output.split(/\r?\n/)) {
    let line = raw;
    if (line.startsWith(dir)) line = line.slice(dir.length);
    line = line.trim();
    if (line === '' || /^Successfully processed|^Đã xử lý/i.test(line)) continue;
    const colon = line.lastIndexOf(':(');
    if (colon <= 0) continue;
    entries.push({ principal: line.slice(0, colon), rights: line.slice(colon + 1) });
  }
  return entries;
}

/** Principals allowed on the data folder: the service user, SYSTEM, and the Administrators group. */
function allowed(principal: string, account: string): boolean {
  const p = principal.toLowerCase();
  const user = account.toLowerCase();
  const bare = user.includes('\\') ? user.slice(user.lastIndexOf('\\') + 1) : user;
  return (
    p === user ||
    p.endsWith(`\\${bare}`) ||
    p === bare ||
    p === 'nt authority\\system' ||
    p === 's-1-5-18' ||
    p === '*s-1-5-18' ||
    p === 'builtin\\administrators' ||
    p === '*s-1-5-32-544'
  );
}

/** Entries of the data folder's ACL that reach anyone but the service user, SYSTEM or Administrators. */
export function foreignAclEntries(entries: AclEntry[], account: string): AclEntry[] {
  return entries.filter((e) => !allowed(e.principal, account));
}

/** Reads the data folder's ACL with icacls (Windows) and returns the foreign entries. */
export function findForeignAclEntries(
  dir: string,
  opts: { run?: CommandRunner; env?: NodeJS.ProcessEnv } = {},
): AclEntry[] {
  const output = (opts.run ?? defaultRunner)('icacls', [dir]);
  return foreignAclEntries(parseIcacls(output, dir), serviceAccount(opts.env));
}
