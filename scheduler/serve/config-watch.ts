import { watch, type FSWatcher } from 'node:fs';

/**
 * Calls `onChange` once things have been quiet for `settleMs` after a change in any of the
 * folders (an editor's save is several events: a new file, a rename, a chmod). Folders, not
 * files: a file replaced by a rename is a new inode a file watch would lose. A folder that
 * cannot be watched is reported and skipped: SIGHUP still reloads.
 */
export function watchFolders(
  folders: readonly string[],
  onChange: () => void,
  onError: (folder: string, err: unknown) => void,
  settleMs = 300,
): () => void {
  let timer: NodeJS.Timeout | undefined;
  const changed = () => {
    clearTimeout(timer);
    timer = setTimeout(onChange, settleMs);
  };
  const watchers: FSWatcher[] = [];
  for (const folder of folders) {
    try {
      const w = watch(folder, { persistent: false }, changed);
      w.on('error', (err) => onError(folder, err));
      watchers.push(w);
    } catch (err) {
      onError(folder, err);
    }
  }
  return () => {
    clearTimeout(timer);
    for (const w of watchers) w.close();
  };
}
