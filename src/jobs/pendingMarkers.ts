// The job store marks every job still to be followed with a `<id>.pending` file. Start-up only
// needs to know whether there is one, and to hear of new ones: this module does both with no
// other dependency than `fs`, so that the start-up entry stays small.
import fs = require('fs');

export const PENDING_SUFFIX = '.pending';

/** Calls back with whether `folder` holds a pending marker: one directory listing, no file read. */
export function checkPending(folder: string, found: (pending: boolean) => void): void {
  fs.readdir(folder, (error, names) => found(!error && names.some((name) => name.endsWith(PENDING_SUFFIX))));
}

/**
 * Calls `onMarker` when a pending marker is written or removed in `folder` (created if needed,
 * to have one to watch). Without a way to watch (a read-only disk), nothing is reported.
 */
export function watchPendingMarkers(folder: string, onMarker: () => void): { dispose(): void } {
  let watcher: fs.FSWatcher | undefined;
  try {
    fs.mkdirSync(folder, { recursive: true });
    watcher = fs.watch(folder, (_event, name) => {
      if (!name || String(name).endsWith(PENDING_SUFFIX)) onMarker();
    });
    watcher.on('error', () => watcher?.close());
  } catch {
    watcher = undefined;
  }
  return { dispose: () => watcher?.close() };
}
