// The job store marks every job still to be followed with a `<id>.pending` file. Start-up only
// needs to know whether there is one, now or later: this module does both with no other
// dependency than `fs`, so that the start-up entry stays small.
import fs = require('fs');

export const PENDING_SUFFIX = '.pending';

/** Calls back with whether `folder` holds a pending marker: one directory listing, no file read. */
export function checkPending(folder: string, found: (pending: boolean) => void): void {
  fs.readdir(folder, (error, names) => found(!error && names.some((name) => name.endsWith(PENDING_SUFFIX))));
}

/**
 * Calls `found` once `folder` holds a pending marker: one listing now, then one every `everyMs`
 * until there is a marker or this is disposed. Listings now and then rather than a watch: a
 * window that follows no job then holds no watch and makes no folder, and starts up without
 * setting one up. A missing or unreadable folder counts as holding none.
 */
export function lookForPending(folder: string, everyMs: number, found: () => void): { dispose(): void } {
  let stopped = false;
  let timer: NodeJS.Timeout | undefined;
  const look = () =>
    checkPending(folder, (pending) => {
      if (stopped) return;
      if (!pending) {
        timer = setTimeout(look, everyMs);
        return;
      }
      stopped = true;
      found();
    });
  look();
  return {
    dispose: () => {
      stopped = true;
      clearTimeout(timer);
    },
  };
}
