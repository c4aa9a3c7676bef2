import { findLooseEntries } from '../store/data-dir-permissions';
import type { CheckStatus } from './doctor.command';

/** How many offending paths the detail names before it summarises. */
const LISTED = 10;

/**
 * `data-permissions`: on Linux and macOS, every folder or file under the data folder that group or
 * others may access is an error, named with its mode, with the command that fixes it (the core
 * also narrows them at its next start). On Windows the folder's ACL is IT's check (see
 * docs/operations.md, "Data at rest"), so the check only says so.
 */
export function checkDataPermissions(dataDir: string, add: (name: string, status: CheckStatus, detail: string) => void, platform: NodeJS.Platform = process.platform): void {
  if (platform === 'win32') {
    add('data-permissions', 'ok', 'Windows: quyền do ACL của hồ sơ người dùng quyết định; kiểm tra theo hướng dẫn vận hành');
    return;
  }
  const loose = findLooseEntries(dataDir, platform);
  if (loose.length === 0) {
    add('data-permissions', 'ok', `${dataDir}: chỉ chủ sở hữu đọc/ghi được (thư mục 700, tệp 600)`);
    return;
  }
  const named = loose.slice(0, LISTED).map((e) => `${e.path} (${e.mode})`).join(', ');
  const more = loose.length > LISTED ? ` và ${loose.length - LISTED} mục khác` : '';
  add('data-permissions', 'fail',
    `${loose.length} mục nhóm/người khác đọc hoặc ghi được: ${named}${more}; sửa: chmod -R go-rwx ${dataDir}`);
}
