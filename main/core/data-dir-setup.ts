import type { Logger } from '../kernel/logger';
import { restrictUmask, tightenDataDir } from '../store/data-dir-permissions';
import { restrictDataDirAcl } from '../store/windows-acl';

/**
 * Data at rest (docs/operations.md): before anything is written, files are owner-only from here
 * on and an older data folder is narrowed to its owner. `finish` logs what was done once the log
 * exists, and on Windows restricts the folder's access list (logged too).
 */
export function lockDownDataDir(dataDir: string): { finish(log: Logger): void } {
  const umaskSet = restrictUmask();
  const permissions = tightenDataDir(dataDir);
  return {
    finish(log) {
      if (permissions) {
        log.log(permissions.failed.length ? 'warn' : 'info', 'data-dir.permissions', {
          umask: umaskSet ? '077' : 'unchanged',
          dirs: permissions.dirs,
          files: permissions.files,
          tightened: permissions.tightened,
          failed: permissions.failed.slice(0, 5),
        });
      }
      if (process.platform === 'win32') {
        try {
          restrictDataDirAcl(dataDir);
          log.log('info', 'data-dir.acl', { restricted: true });
        } catch (error) {
          log.log('warn', 'data-dir.acl', {
            restricted: false,
            error: error instanceof Error ? error.message.slice(0, 200) : String(error),
          });
        }
      }
    },
  };
}
