import * as fs from 'node:fs';
import * as path from 'node:path';
import { tailOfFile } from './processes';

/**
 * Log files under a code-server user-data folder that explain a failed run: the remote
 * extension host's log and the logs of output channels whose path names `channelHint`.
 */
export function findExtensionHostLogs(userDataDir: string, channelHint = 'pictory'): string[] {
  const hint = channelHint.toLowerCase();
  const logsDir = path.join(userDataDir, 'logs');
  return listFiles(logsDir).filter((file) => {
    const name = path.basename(file);
    const namesChannel = path.relative(logsDir, file).toLowerCase().includes(hint);
    return name === 'remoteexthost.log' || (name.endsWith('.log') && namesChannel);
  });
}

/** Prints the last `lines` lines of each log file, headed by its path. */
export function printLogTails(files: string[], lines = 60): void {
  for (const file of files) {
    const tail = tailOfFile(file, lines);
    if (tail === '') continue;
    console.log(`\n----- ${file} (last ${lines} lines) -----\n${tail}`);
  }
}

/** Whether code-server's log says an extension host process has exited. */
export function extensionHostExited(codeServerLog: string): boolean {
  try {
    return fs.readFileSync(codeServerLog, 'utf8').includes('Extension Host Process exited');
  } catch {
    return false;
  }
}

function listFiles(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    return entry.isDirectory() ? listFiles(full) : [full];
  });
}
