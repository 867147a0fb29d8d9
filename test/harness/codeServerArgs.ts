import * as fs from 'node:fs';
import * as path from 'node:path';
import { isolatedHome } from './paths';

/** Flags shared by serving and installing; `--config` keeps code-server from writing to ~/.config. */
export function commonArgs(userDataDir: string, extensionsDir: string): string[] {
  fs.mkdirSync(userDataDir, { recursive: true });
  const configFile = path.join(userDataDir, 'code-server.yaml');
  fs.writeFileSync(configFile, 'auth: none\n');
  return ['--config', configFile, '--auth', 'none', '--user-data-dir', userDataDir, '--extensions-dir', extensionsDir];
}

/**
 * This process's environment without variables of an enclosing VS Code (a terminal inside
 * VS Code sets them, and they would make code-server talk to that instance), and with a
 * home of its own inside `userDataDir`: code-server writes a default config file to
 * `$XDG_CONFIG_HOME/code-server` and a heartbeat to `$XDG_DATA_HOME`, and neither may land
 * in the user's home.
 */
export function serverEnvironment(userDataDir: string): NodeJS.ProcessEnv {
  const env = { ...process.env, ...isolatedHome(path.join(userDataDir, 'home')) };
  for (const name of Object.keys(env)) {
    if (name.startsWith('VSCODE_') || name === 'ELECTRON_RUN_AS_NODE') delete env[name];
  }
  return env;
}
