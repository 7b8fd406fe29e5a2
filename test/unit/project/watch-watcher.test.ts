// The file watcher of `watch` on real temporary trees (no engine). Waits on the reported changes, never on
// fixed delays; a "mirror" plays the consumer (stat each reported path: copy it, or rm -rf it when gone) and
// must end equal to the tree.
import {
  appendFileSync,
  chmodSync,
  copyFileSync,
  existsSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  renameSync,
  rmSync,
  symlinkSync,
  truncateSync,
  unlinkSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { basename, join, relative } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { flushDelay, isWithin, type TreeWatcher, watchTree } from "../../../src/project/watch/watcher.js";

const ignoredNames = new Set(["node_modules", ".git"]);
const ignored = (path: string) => ignoredNames.has(basename(path));

let tmp: string;
const open: TreeWatcher[] = [];

beforeEach(() => {
  tmp = mkdtempSync(join(tmpdir(), "tcompose-watch-"));
});

afterEach(async () => {
  for (const w of open.splice(0)) await w.close();
  rmSync(tmp, { recursive: true, force: true });
});

interface Session {
  watcher: TreeWatcher;
  batches: string[][];
  seen: Set<string>;
  errors: Error[];
  /** Waits until every path has been reported. */
  reported(...paths: string[]): Promise<void>;
}

async function start(paths: string[], quietMs = 20): Promise<Session> {
  const batches: string[][] = [];
  const seen = new Set<string>();
  const errors: Error[] = [];
  const watcher = await watchTree({
    paths,
    ignored,
    quietMs,
    onChanges: (changed) => {
      batches.push(changed);
      for (const p of changed) seen.add(p);
    },
    onError: (error) => errors.push(error),
  });
  open.push(watcher);
  return {
    watcher,
    batches,
    seen,
    errors,
    reported: (...wanted) =>
      until(
        () => wanted.every((p) => seen.has(p)),
        () => `not reported: ${wanted.filter((p) => !seen.has(p)).join(", ")}`,
      ),
  };
}

async function until(done: () => boolean, why: () => string, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!done()) {
    if (Date.now() > deadline) throw new Error(why());
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** A consumer that mirrors `source` into `target` from the reported paths only. */
function mirror(source: string, target: string, session: Session) {
  let applied = 0;
  return {
    /** Applies the batches reported so far; false when there were none. */
    sync() {
      if (applied === session.batches.length) return false;
      for (; applied < session.batches.length; applied++) {
        const copied: string[] = [];
        for (const path of session.batches[applied] ?? []) {
          // Already copied with a directory reported in the same batch (batches are sorted).
          if (copied.some((dir) => isWithin(path, dir))) continue;
          const dest = join(target, relative(source, path));
          const stats = lstatSync(path, { throwIfNoEntry: false });
          if (lstatSync(dest, { throwIfNoEntry: false })?.isDirectory()) rmSync(dest, { recursive: true });
          else rmSync(dest, { force: true });
          if (!stats) continue;
          if (stats.isDirectory()) copied.push(path);
          mkdirSync(join(dest, ".."), { recursive: true });
          copy(path, dest);
        }
      }
      return true;
    },
  };
}

/** Copies a file, symlink or directory (recursively, without ignored entries). */
function copy(from: string, to: string) {
  const stats = lstatSync(from);
  if (stats.isSymbolicLink()) symlinkSync(readlinkSync(from), to);
  else if (stats.isFile()) copyFileSync(from, to);
  else if (stats.isDirectory()) {
    mkdirSync(to);
    for (const name of readdirSync(from))
      if (!ignored(join(from, name))) copy(join(from, name), join(to, name));
  }
}

/** Relative path, type and content of every non-ignored entry under `dir`. */
function snapshot(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, e.name);
      if (ignored(p)) continue;
      const rel = relative(dir, p);
      if (e.isSymbolicLink()) out.push(`${rel} -> ${readlinkSync(p)}`);
      else if (e.isDirectory()) {
        out.push(`${rel}/`);
        walk(p);
      } else out.push(`${rel} = ${readFileSync(p, "utf8")}`);
    }
  };
  walk(dir);
  return out.sort();
}

/** Waits until the mirror of `source` equals it. */
async function mirrored(source: string, target: string, m: ReturnType<typeof mirror>) {
  let first = true;
  await until(
    () => {
      if (!m.sync() && !first) return false;
      first = false;
      return JSON.stringify(snapshot(source)) === JSON.stringify(snapshot(target));
    },
    () =>
      `mirror differs:\n${JSON.stringify({ source: snapshot(source), mirror: snapshot(target) }, null, 1)}`,
  );
}

/** A tree and its initial copy, watched. */
async function mirroredTree(files: Record<string, string>) {
  const source = join(tmp, "src");
  const target = join(tmp, "mirror");
  for (const [rel, content] of Object.entries(files)) {
    mkdirSync(join(source, rel, ".."), { recursive: true });
    writeFileSync(join(source, rel), content);
  }
  mkdirSync(source, { recursive: true });
  copy(source, target);
  const session = await start([source]);
  const m = mirror(source, target, session);
  return { source, target, session, settle: () => mirrored(source, target, m) };
}

describe("flushDelay", () => {
  it("waits for quiet after the last event, but no longer than the batch limit after the first", () => {
    expect(flushDelay(1000, 1000, 100)).toBe(100);
    expect(flushDelay(1500, 1000, 100)).toBe(100);
    expect(flushDelay(1950, 1000, 100)).toBe(50);
    expect(flushDelay(2500, 1000, 100)).toBe(0);
  });
});

describe("isWithin", () => {
  it("matches the directory and paths under it, not siblings sharing a prefix", () => {
    expect(isWithin("/a/b", "/a/b")).toBe(true);
    expect(isWithin("/a/b/c", "/a/b")).toBe(true);
    expect(isWithin("/a/bc", "/a/b")).toBe(false);
    expect(isWithin("/a", "/")).toBe(true);
  });
});

describe("watchTree", () => {
  it("reports files created, modified, deleted and renamed", async () => {
    const { source, session, settle } = await mirroredTree({ "a.txt": "a", "sub/b.txt": "b" });
    writeFileSync(join(source, "new.txt"), "new");
    await session.reported(join(source, "new.txt"));
    appendFileSync(join(source, "sub/b.txt"), "more");
    await session.reported(join(source, "sub/b.txt"));
    unlinkSync(join(source, "a.txt"));
    await session.reported(join(source, "a.txt"));
    renameSync(join(source, "new.txt"), join(source, "sub/moved.txt"));
    await session.reported(join(source, "sub/moved.txt"));
    chmodSync(join(source, "sub"), 0o700);
    await session.reported(join(source, "sub"));
    await settle();
    expect([...session.seen].filter((p) => !existsSync(p)).sort()).toEqual([
      join(source, "a.txt"),
      join(source, "new.txt"),
    ]);
    expect(session.errors).toEqual([]);
  });

  it("follows editors' saves: temp file renamed over, truncate then write, delete then create", async () => {
    const { source, session, settle } = await mirroredTree({ "x.ts": "1", "y.ts": "1", "z.ts": "1" });
    writeFileSync(join(source, ".x.ts.swp"), "2");
    renameSync(join(source, ".x.ts.swp"), join(source, "x.ts"));
    truncateSync(join(source, "y.ts"));
    appendFileSync(join(source, "y.ts"), "2");
    unlinkSync(join(source, "z.ts"));
    writeFileSync(join(source, "z.ts"), "2");
    await session.reported(join(source, "x.ts"), join(source, "y.ts"), join(source, "z.ts"));
    await settle();
  });

  it("reports files made in a new nested directory before its watch was added", async () => {
    const { source, session, settle } = await mirroredTree({ "keep.txt": "k" });
    const deep = join(source, "n1/n2/n3");
    mkdirSync(deep, { recursive: true });
    const files = Array.from({ length: 20 }, (_, i) => join(deep, `f${i}.txt`));
    for (const f of files) writeFileSync(f, f);
    writeFileSync(join(source, "n1/top.txt"), "t");
    await session.reported(...files, join(source, "n1/top.txt"));
    await settle();
    const before = session.watcher.watchCount;
    // The new directories are watched: later changes in them are reported too.
    writeFileSync(join(deep, "later.txt"), "l");
    await session.reported(join(deep, "later.txt"));
    expect(session.watcher.watchCount).toBe(before);
  });

  it("reports a removed or renamed directory and stops watching the old one", async () => {
    const { source, session, settle } = await mirroredTree({
      "gone/a/1.txt": "1",
      "gone/b/2.txt": "2",
      "old/3.txt": "3",
      "top.txt": "t",
    });
    expect(session.watcher.watchCount).toBe(5); // src, gone, gone/a, gone/b, old
    rmSync(join(source, "gone"), { recursive: true });
    renameSync(join(source, "old"), join(source, "new"));
    await settle();
    expect(session.watcher.watchCount).toBe(2); // src, new
    writeFileSync(join(source, "new/4.txt"), "4");
    await session.reported(join(source, "new/4.txt"));
    await settle();
    // Deleted and made again under the same name: the new directory is watched.
    rmSync(join(source, "new"), { recursive: true });
    mkdirSync(join(source, "new/inner"), { recursive: true });
    writeFileSync(join(source, "new/inner/5.txt"), "5");
    await settle();
    writeFileSync(join(source, "new/inner/6.txt"), "6");
    await session.reported(join(source, "new/inner/6.txt"));
    await settle();
    expect(session.watcher.watchCount).toBe(3); // src, new, new/inner
  });

  it("watches a directory moved in from outside, and skips unreadable directories", async () => {
    const { source, session, settle } = await mirroredTree({ "a.txt": "a" });
    const outside = join(tmp, "elsewhere");
    mkdirSync(join(outside, "x/y"), { recursive: true });
    writeFileSync(join(outside, "x/y/z.txt"), "z");
    renameSync(outside, join(source, "moved"));
    await session.reported(join(source, "moved/x/y/z.txt"));
    await settle();
    writeFileSync(join(source, "moved/x/y/later.txt"), "l");
    await session.reported(join(source, "moved/x/y/later.txt"));
    if (process.getuid?.() !== 0) {
      mkdirSync(join(source, "locked"), { mode: 0o000 });
      const other = await start([source]);
      expect(other.watcher.watchCount).toBe(session.watcher.watchCount - 1);
      expect(other.errors).toEqual([]);
    }
    expect(session.errors).toEqual([]);
  });

  it("ends equal to the tree after a branch switch: many files and directories at once", async () => {
    const files: Record<string, string> = {};
    for (let d = 0; d < 10; d++) for (let f = 0; f < 10; f++) files[`pkg${d}/f${f}.ts`] = `v1 ${d} ${f}`;
    const { source, settle } = await mirroredTree(files);
    for (let d = 0; d < 10; d += 2) rmSync(join(source, `pkg${d}`), { recursive: true });
    for (let d = 1; d < 10; d += 2) {
      for (let f = 0; f < 10; f++) writeFileSync(join(source, `pkg${d}/f${f}.ts`), `v2 ${d} ${f}`);
      mkdirSync(join(source, `pkg${d}/deep/er`), { recursive: true });
      writeFileSync(join(source, `pkg${d}/deep/er/x.ts`), "x");
    }
    for (let d = 10; d < 20; d++) {
      mkdirSync(join(source, `pkg${d}/lib`), { recursive: true });
      for (let f = 0; f < 10; f++) writeFileSync(join(source, `pkg${d}/lib/f${f}.ts`), `v2 ${d} ${f}`);
    }
    await settle();
  });

  it("reports symlinks as paths without following them", async () => {
    const { source, session, settle } = await mirroredTree({ "real/a.txt": "a" });
    const outside = join(tmp, "outside");
    mkdirSync(outside);
    const count = session.watcher.watchCount;
    symlinkSync(outside, join(source, "link-dir"));
    symlinkSync("real/a.txt", join(source, "link-file"));
    await session.reported(join(source, "link-dir"), join(source, "link-file"));
    expect(session.watcher.watchCount).toBe(count);
    writeFileSync(join(outside, "o.txt"), "o");
    writeFileSync(join(source, "sentinel.txt"), "s");
    await session.reported(join(source, "sentinel.txt"));
    expect([...session.seen].filter((p) => p.includes("o.txt"))).toEqual([]);
    await settle();
  });

  it("never watches ignored directories nor reports what happens in them", async () => {
    const source = join(tmp, "proj");
    for (let i = 0; i < 30; i++) mkdirSync(join(source, "node_modules", `p${i}`, "lib"), { recursive: true });
    mkdirSync(join(source, ".git/objects"), { recursive: true });
    mkdirSync(join(source, "src"), { recursive: true });
    const session = await start([source]);
    expect(session.watcher.watchCount).toBe(2); // proj, src
    mkdirSync(join(source, "node_modules/late/dir"), { recursive: true });
    writeFileSync(join(source, "node_modules/late/dir/x.js"), "x");
    writeFileSync(join(source, "node_modules/p1/lib/y.js"), "y");
    mkdirSync(join(source, "src/node_modules/inner"), { recursive: true });
    writeFileSync(join(source, ".git/HEAD"), "ref");
    writeFileSync(join(source, "src/sentinel.ts"), "s");
    await session.reported(join(source, "src/sentinel.ts"));
    expect(
      [...session.seen].filter((p) => ignoredNames.has(basename(p)) || /node_modules|\.git/.test(p)),
    ).toEqual([]);
    expect(session.watcher.watchCount).toBe(2);
  });

  it("watches paths that do not exist yet, from their nearest existing parent", async () => {
    const dirRoot = join(tmp, "later/deep/dir");
    const fileRoot = join(tmp, "conf/app.json");
    const session = await start([dirRoot, fileRoot]);
    writeFileSync(join(tmp, "unrelated.txt"), "u");
    mkdirSync(join(tmp, "later/deep"), { recursive: true });
    mkdirSync(join(dirRoot, "sub"), { recursive: true });
    writeFileSync(join(dirRoot, "sub/a.txt"), "a");
    mkdirSync(join(tmp, "conf"));
    writeFileSync(join(tmp, "conf/other.json"), "{}");
    writeFileSync(fileRoot, "{}");
    await session.reported(dirRoot, fileRoot);
    // The directory is watched as a tree from now on.
    await until(
      () => session.seen.has(join(dirRoot, "sub/a.txt")) || session.seen.has(join(dirRoot, "sub")),
      () => "sub/a.txt not reported",
    );
    writeFileSync(join(dirRoot, "sub/b.txt"), "b");
    appendFileSync(fileRoot, " ");
    session.seen.delete(fileRoot);
    await session.reported(join(dirRoot, "sub/b.txt"), fileRoot);
    expect([...session.seen].filter((p) => !isWithin(p, dirRoot) && p !== fileRoot)).toEqual([]);
    // Deleted and made again: still watched.
    session.seen.delete(dirRoot);
    rmSync(join(tmp, "later"), { recursive: true });
    await session.reported(dirRoot);
    mkdirSync(dirRoot, { recursive: true });
    writeFileSync(join(dirRoot, "again.txt"), "again");
    await session.reported(join(dirRoot, "again.txt"));
    // Replaced at once (the new directory may even get the old inode number): the new one is watched.
    rmSync(dirRoot, { recursive: true });
    mkdirSync(dirRoot);
    writeFileSync(join(dirRoot, "third.txt"), "3");
    await session.reported(join(dirRoot, "third.txt"));
    writeFileSync(join(dirRoot, "fourth.txt"), "4");
    await session.reported(join(dirRoot, "fourth.txt"));
    expect(session.errors).toEqual([]);
  });

  it("flushes during a continuous stream of changes that never goes quiet", async () => {
    const source = join(tmp, "stream");
    mkdirSync(source);
    const session = await start([source], 3_600_000);
    let i = 0;
    await until(
      () => {
        writeFileSync(join(source, `s${i++}.log`), "x");
        return session.batches.length > 0;
      },
      () => "no batch while the stream went on",
    );
    expect(session.batches[0]).toContain(join(source, "s0.log"));
  });

  it("reports nothing after close()", async () => {
    const source = join(tmp, "w");
    mkdirSync(source);
    const closed = await start([source]);
    const witness = await start([source]);
    await closed.watcher.close();
    expect(closed.watcher.watchCount).toBe(0);
    writeFileSync(join(source, "after.txt"), "a");
    await witness.reported(join(source, "after.txt"));
    expect(closed.batches).toEqual([]);
  });

  it("reports every file of a burst of 500, each once per batch", async () => {
    const { source, session, settle } = await mirroredTree({});
    const files = Array.from({ length: 500 }, (_, i) => join(source, `d${i % 7}`, `burst${i}.txt`));
    for (let d = 0; d < 7; d++) mkdirSync(join(source, `d${d}`));
    for (const f of files) writeFileSync(f, basename(f));
    await session.reported(...files);
    for (const batch of session.batches) expect(new Set(batch).size).toBe(batch.length);
    await settle();
    expect(existsSync(join(tmp, "mirror/d6/burst6.txt"))).toBe(true);
  });
});
