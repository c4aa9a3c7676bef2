import { homedir } from 'node:os';
import { join } from 'node:path';

/**
 * The user data folder: `MOTCUA_DATA_DIR` when set (tests, IT overrides), otherwise the OS
 * convention, the same folder Electron's `app.getPath('userData')` gives for this app name.
 */
export function defaultDataDir(env: NodeJS.ProcessEnv = process.env, platform = process.platform): string {
  if (env.MOTCUA_DATA_DIR) return env.MOTCUA_DATA_DIR;
  if (platform === 'win32') return join(env.APPDATA ?? join(homedir(), 'AppData', 'Roaming'), 'motcua-desk');
  if (platform === 'darwin') return join(homedir(), 'Library', 'Application Support', 'motcua-desk');
  return join(env.XDG_CONFIG_HOME ?? join(homedir(), '.config'), 'motcua-desk');
}
