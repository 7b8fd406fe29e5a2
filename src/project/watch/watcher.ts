// File watching for `watch` (develop.watch): one non-recursive fs.watch (one inotify watch) per watched,
// non-ignored directory, kept in step with the tree as directories come and go.
//
// Chosen by measurement (`node bench/watcher.mjs --compare`): a generated tree of 50,000 files (45,000 under
// node_modules, 1,000 under .git, 4,000 in 421 source directories), node_modules and .git ignored, median
// of 3 runs on 2 busy shared cores. Latency: one file write to its report (this module with quietMs 0).
//
//   candidate                      Node  start ms  inotify watches  RSS MiB  latency ms
//   fs.watch recursive              20      4,360           55,026      183     0.7
//   fs.watch recursive              24      1,077            5,025      109     0.5
//   chokidar 4 (ignored function)   20      1,089            4,423      123     2.0
//   chokidar 4 (ignored function)   24      1,210            4,423      118     1.3
//   @parcel/watcher 2.6 (ignore)    20         71              422       52    51
//   @parcel/watcher 2.6 (ignore)    24         49              422       55    51
//   this module                     20         96              422       52     1.8
//   this module                     24         87              422       63     1.9
//
// Recursive fs.watch has no ignore option: it watches node_modules (Node 20: every file too); chokidar
// watches each file; @parcel/watcher is a native add-on, which dist/tcompose.cjs cannot carry. A
// directory is watched before it is read, so a file made in a new directory is either listed by that
// read or reported by the watch.
import {
  type Dirent,
  type FSWatcher,
  lstatSync,
  readdirSync,
  readFileSync,
  type Stats,
  statSync,
  watch,
} from "node:fs";
import { basename, dirname, join, relative, resolve, sep } from "node:path";

export interface WatchTreeOptions {
  /** Absolute paths (files or directories) to watch; a path that does not exist yet is watched from its nearest existing parent (it may be created later). */
  paths: readonly string[];
  /** True when an absolute path must be neither reported nor (for a directory) descended into. */
  ignored: (absolutePath: string, isDirectory: boolean) => boolean;
  /** Changed absolute paths (created, modified, deleted, renamed from/to), each once per call, after the tree has been quiet for `quietMs`. */
  onChanges: (paths: string[]) => void;
  onError: (error: Error) => void;
  quietMs?: number; // default 100
}

export interface TreeWatcher {
  close(): Promise<void>;
  /** number of OS watches (directories) held, for tests and the bench */
  readonly watchCount: number;
}

/** Longest wait for a quiet period: a continuous stream of events is still flushed this often. */
export const maxBatchMs = 1000;

/** Milliseconds until the pending batch is flushed: `quietMs` after the last event, at most `maxMs` after the first. */
export function flushDelay(now: number, firstEventAt: number, quietMs: number, maxMs = maxBatchMs): number {
  return Math.max(0, Math.min(quietMs, firstEventAt + maxMs - now));
}

/** True when `path` is `dir` or inside it (both absolute and normalised). */
export function isWithin(path: string, dir: string): boolean {
  return path === dir || path.startsWith(dir.endsWith(sep) ? dir : dir + sep);
}

interface DirWatch {
  watcher: FSWatcher;
  /** Inode when the watch was added: a different one at the same path is another directory. */
  ino: number;
  /** Inside a watched root: every non-ignored entry is reported and every such directory watched. */
  full: boolean;
  /** Roots that do not exist (or are files) watched from this directory. */
  anchored: Set<string>;
}

/** Resolves once every directory is watched (changes after that are never missed). */
export function watchTree(options: WatchTreeOptions): Promise<TreeWatcher> {
  const quietMs = options.quietMs ?? 100;
  const { ignored } = options;
  const roots = [...new Set(options.paths.map((p) => resolve(p)))];
  const dirs = new Map<string, DirWatch>();
  /** Where each root not watched as a tree waits for it: nearest existing directory. */
  const anchors = new Map<string, string>();
  const pending = new Set<string>();
  let firstEventAt = 0;
  let timer: NodeJS.Timeout | undefined;
  let closed = false;
  let starting = true;

  const fail = (error: Error) => {
    if (starting) throw error;
    options.onError(error);
  };

  function report(path: string) {
    if (closed) return;
    if (pending.size === 0) firstEventAt = Date.now();
    pending.add(path);
    if (timer) clearTimeout(timer);
    timer = setTimeout(flush, flushDelay(Date.now(), firstEventAt, quietMs));
  }

  function flush() {
    timer = undefined;
    if (closed || pending.size === 0) return;
    const paths = [...pending].sort();
    pending.clear();
    try {
      options.onChanges(paths);
    } catch (error) {
      options.onError(error instanceof Error ? error : new Error(String(error)));
    }
  }

  /** Watches `dir` (once); undefined when it is gone or cannot be watched. */
  function addWatch(dir: string, stats: Stats): DirWatch | undefined {
    const existing = dirs.get(dir);
    if (existing) return existing;
    let watcher: FSWatcher;
    try {
      watcher = watch(dir, { persistent: true }, (event, name) => {
        try {
          onEvent(dir, event, name);
        } catch (error) {
          options.onError(error instanceof Error ? error : new Error(String(error)));
        }
      });
    } catch (error) {
      if (!skippable(error)) fail(watchError(dir, error));
      return undefined;
    }
    watcher.on("error", (error: NodeJS.ErrnoException) => {
      if (!skippable(error) && !closed) options.onError(watchError(dir, error));
    });
    const entry: DirWatch = { watcher, ino: stats.ino, full: false, anchored: new Set() };
    dirs.set(dir, entry);
    return entry;
  }

  function dropWatch(dir: string) {
    const entry = dirs.get(dir);
    if (!entry) return;
    entry.watcher.close();
    dirs.delete(dir);
  }

  /** Watches `dir` and every non-ignored directory under it; `announce` reports each entry found. */
  function addTree(dir: string, stats: Stats, announce: boolean) {
    const entry = addWatch(dir, stats);
    if (!entry) return;
    if (entry.full) return;
    entry.full = true;
    // Read after the watch is in place: an entry made in between is in the listing or in an event.
    let entries: Dirent[];
    try {
      entries = readdirSync(dir, { withFileTypes: true });
    } catch (error) {
      if (!skippable(error)) fail(watchError(dir, error));
      return;
    }
    for (const dirent of entries) {
      const path = join(dir, dirent.name);
      const isDirectory = dirent.isDirectory();
      // At start a file is neither reported nor watched: no need to ask about it.
      if (!isDirectory && !announce) continue;
      if (ignored(path, isDirectory)) continue;
      if (announce) report(path);
      if (isDirectory) {
        const childStats = lstatOrUndefined(path);
        if (childStats?.isDirectory()) addTree(path, childStats, announce);
      }
    }
  }

  /** Drops the watches of `dir` and everything under it, and re-settles roots that waited there. */
  function dropTree(dir: string) {
    const unsettled: string[] = [];
    for (const [path, entry] of dirs) {
      if (!isWithin(path, dir)) continue;
      unsettled.push(...entry.anchored);
      dropWatch(path);
    }
    for (const root of roots) {
      if (isWithin(root, dir) || unsettled.includes(root)) settle(root);
    }
  }

  /** Brings the watches of one root in line with the disk: its tree when it is a directory, else its nearest existing directory. */
  function settle(root: string) {
    for (let attempt = 0; attempt < 100; attempt++) {
      const previous = anchors.get(root);
      const stats = statOrUndefined(root);
      if (stats?.isDirectory()) {
        unanchor(root, previous);
        const before = dirs.get(root)?.full === true;
        addTree(root, stats, !starting);
        if (!starting && !before) report(root);
        return;
      }
      // A file, or nothing yet: watch the nearest existing directory above it.
      let anchor = dirname(root);
      let anchorStats = statOrUndefined(anchor);
      while (!anchorStats?.isDirectory() && dirname(anchor) !== anchor) {
        anchor = dirname(anchor);
        anchorStats = statOrUndefined(anchor);
      }
      if (!anchorStats?.isDirectory()) return;
      if (previous !== anchor) {
        unanchor(root, previous);
        const entry = addWatch(anchor, anchorStats);
        if (!entry) continue;
        entry.anchored.add(root);
        anchors.set(root, anchor);
      }
      // Made between the stat and the watch: look again.
      const next = join(anchor, relative(anchor, root).split(sep)[0] ?? "");
      const nextStats = lstatOrUndefined(next);
      if (next === root && !nextStats?.isDirectory()) {
        // A file root made before its directory was watched has had no event of its own.
        if (nextStats && !starting) report(root);
        return;
      }
      if (!nextStats) return;
    }
  }

  function unanchor(root: string, anchor: string | undefined) {
    if (anchor === undefined) return;
    anchors.delete(root);
    const entry = dirs.get(anchor);
    if (!entry) return;
    entry.anchored.delete(root);
    if (!entry.full && entry.anchored.size === 0) dropWatch(anchor);
  }

  function onEvent(dir: string, event: string, name: string | Buffer | null) {
    if (closed) return;
    const entry = dirs.get(dir);
    if (!entry) return;
    if (name === null) {
      rescan(dir);
      return;
    }
    const path = join(dir, name.toString());
    // The watched directory itself deleted or moved: the event names it by its basename and its watch is
    // dead, even when another directory (maybe with the same inode number) is already there. Its own
    // attribute changes (chmod) and a child of the same name look the same: watching anew costs a rescan.
    if (event === "rename" && name.toString() === basename(dir)) {
      renew(dir, entry);
      return;
    }
    if (entry.full) onEntry(path, event);
    for (const root of [...entry.anchored]) {
      const next = join(dir, relative(dir, root).split(sep)[0] ?? "");
      if (path !== next) continue;
      if (path === root) report(root);
      settle(root);
    }
  }

  /** An entry of a fully watched directory changed. */
  function onEntry(path: string, event: string) {
    // Content changes of a path already reported cannot change the tree.
    if (event === "change" && pending.has(path)) return;
    const stats = lstatOrUndefined(path);
    const watched = dirs.get(path);
    if (!stats) {
      if (ignored(path, watched !== undefined)) return;
      report(path);
      if (watched) dropTree(path);
      return;
    }
    const isDirectory = stats.isDirectory();
    if (ignored(path, isDirectory)) {
      if (watched?.full) dropTree(path);
      return;
    }
    report(path);
    if (watched && (!isDirectory || watched.ino !== stats.ino)) dropTree(path);
    if (isDirectory && !dirs.get(path)?.full) addTree(path, stats, true);
  }

  /** A watched directory no longer exists at its path. */
  function gone(dir: string, entry: DirWatch) {
    if (entry.full) report(dir);
    dropTree(dir);
  }

  /** Drops the watches of `dir` and watches what is at its path now. */
  function renew(dir: string, entry: DirWatch) {
    gone(dir, entry);
    if (!entry.full || dirs.get(dir)?.full) return; // roots are watched again by dropTree
    const stats = lstatOrUndefined(dir);
    if (stats?.isDirectory() && !ignored(dir, true)) addTree(dir, stats, true);
  }

  /** The events of `dir` were lost (no name): report and re-read all of it. */
  function rescan(dir: string) {
    const stats = statOrUndefined(dir);
    const entry = dirs.get(dir);
    if (!entry) return;
    if (!entry.full || !stats?.isDirectory()) {
      gone(dir, entry);
      return;
    }
    entry.full = false;
    addTree(dir, stats, true);
  }

  return new Promise((resolvePromise, reject) => {
    try {
      for (const root of roots) settle(root);
    } catch (error) {
      for (const dir of [...dirs.keys()]) dropWatch(dir);
      closed = true;
      reject(error);
      return;
    }
    starting = false;
    resolvePromise({
      close: async () => {
        closed = true;
        if (timer) clearTimeout(timer);
        pending.clear();
        for (const dir of [...dirs.keys()]) dropWatch(dir);
        anchors.clear();
      },
      get watchCount() {
        return dirs.size;
      },
    });
  });
}

/** Gone meanwhile, or unreadable (a database volume directory owned by another user): not watched, no error. */
function skippable(error: unknown): boolean {
  const code = (error as NodeJS.ErrnoException).code;
  return code === "ENOENT" || code === "ENOTDIR" || code === "EACCES" || code === "EPERM";
}

function lstatOrUndefined(path: string): Stats | undefined {
  try {
    return lstatSync(path, { throwIfNoEntry: false });
  } catch {
    return undefined; // ENOTDIR, EACCES: not there as far as watching goes
  }
}

function statOrUndefined(path: string): Stats | undefined {
  try {
    return statSync(path, { throwIfNoEntry: false });
  } catch {
    return undefined; // ENOTDIR, ELOOP, EACCES
  }
}

function watchError(dir: string, error: unknown): Error {
  const cause = error as NodeJS.ErrnoException;
  if (cause.code === "ENOSPC") {
    let limit = "";
    try {
      limit = `=${readFileSync("/proc/sys/fs/inotify/max_user_watches", "utf8").trim()}`;
    } catch {}
    return new Error(
      `cannot watch ${dir}: the inotify watch limit (fs.inotify.max_user_watches${limit}) is reached; ignore more directories or raise the limit`,
    );
  }
  return new Error(`cannot watch ${dir}: ${cause.message ?? String(error)}`);
}
