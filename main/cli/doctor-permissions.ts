import { findLooseEntries } from '../store/data-dir-permissions';
import { findForeignAclEntries, type CommandRunner } from '../store/windows-acl';
import type { CheckStatus } from './doctor-check';

/** How many offending paths the detail names before it summarises. */
const LISTED = 10;

/**
 * `data-permissions`: on Linux and macOS, every folder or file under the data folder that group or
 * others may access is an error, named with its mode, with the command that fixes it (the core
 * also narrows them at its next start). On Windows the folder's ACL is read with icacls: any
 * principal other than the service user, SYSTEM and Administrators is an error (the core narrows
 * the ACL at its next start; docs/operations.md, "Data at rest").
 */
export function checkDataPermissions(
  dataDir: string,
  add: (name: string, status: CheckStatus, detail: string) => void,
  platform: NodeJS.Platform = process.platform,
  acl: { run?: CommandRunner; env?: NodeJS.ProcessEnv } = {},
): void {
  if (platform === 'win32') {
    checkWindowsAcl(dataDir, add, acl);
    return;
  }
  const loose = findLooseEntries(dataDir, platform);
  if (loose.length === 0) {
    add('data-permissions', 'ok', `${dataDir}: chỉ chủ sở hữu đọc/ghi được (thư mục 700, tệp 600)`);
    return;
  }
  const named = loose
    .slice(0, LISTED)
    .map((e) => `${e.path} (${e.mode})`)
    .join(', ');
  const more = loose.length > LISTED ? ` và ${loose.length - LISTED} mục khác` : '';
  add(
    'data-permissions',
    'fail',
    `${loose.length} mục nhóm/người khác đọc hoặc ghi được: ${named}${more}; sửa: chmod -R go-rwx ${dataDir}`,
  );
}

function checkWindowsAcl(
  dataDir: string,
  add: (name: string, status: CheckStatus, detail: string) => void,
  acl: { run?: CommandRunner; env?: NodeJS.ProcessEnv },
): void {
  let foreign;
  try {
    foreign = findForeignAclEntries(dataDir, acl);
  } catch (error) {
    add(
      'data-permissions',
      'warn',
      `không đọc được ACL của ${dataDir} (icacls): ${error instanceof Error ? error.message.slice(0, 160) : String(error)}`,
    );
    return;
  }
  if (foreign.length === 0) {
    add('data-permissions', 'ok', `${dataDir}: ACL chỉ cho người dùng dịch vụ, SYSTEM và Administrators`);
    return;
  }
  const named = foreign
    .slice(0, LISTED)
    .map((e) => `${e.principal} ${e.rights}`)
    .join(', ');
  add(
    'data-permissions',
    'fail',
    `${foreign.length} mục ACL cho người khác: ${named}; sửa: khởi động lại ứng dụng (tự thu hẹp ACL) hoặc icacls theo hướng dẫn vận hành`,
  );
}
