import { chmod, lchown, mkdir, mkdtemp, rm, symlink, utimes, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { readTar } from "../../../src/project/archive.js";
import { entryHeader } from "../../../src/project/build/tar.js";
import {
  collectEntries,
  containerPathFor,
  dedupeByName,
  type HostKind,
  type PathMapping,
  planSync,
  removeCommand,
  syncTar,
  tarName,
} from "../../../src/project/watch/sync.js";

const m = (hostPath: string, containerPath: string): PathMapping => ({ hostPath, containerPath });
const item = (hostPath: string, containerPath: string, kind: HostKind) => ({
  mapping: m(hostPath, containerPath),
  kind,
});

describe("containerPathFor", () => {
  it("puts a path under a directory mapping at the same place under its target", () => {
    expect(containerPathFor(m("/h/app", "/srv/app"), "/h/app/sub/f.txt", "file")).toBe("/srv/app/sub/f.txt");
    expect(containerPathFor(m("/h/app/", "/srv/app/"), "/h/app/f", "file")).toBe("/srv/app/f");
  });
  it("maps the mapping's own path to its target, inside it when the target ends in / and the path is no directory", () => {
    expect(containerPathFor(m("/h/a.txt", "/srv/a.txt"), "/h/a.txt", "file")).toBe("/srv/a.txt");
    expect(containerPathFor(m("/h/a.txt", "/srv/"), "/h/a.txt", "file")).toBe("/srv/a.txt");
    expect(containerPathFor(m("/h/dir", "/srv/"), "/h/dir", "directory")).toBe("/srv/");
    expect(containerPathFor(m("/h/dir", "/srv//x/../y"), "/h/dir", "missing")).toBe("/srv/y");
  });
  it("refuses a path outside the mapping", () => {
    expect(() => containerPathFor(m("/h/app", "/srv"), "/h/apple", "file")).toThrow(/not under/);
  });
});

describe("tarName", () => {
  it("is relative to / and clean; / itself is empty", () => {
    expect(tarName("/srv/app")).toBe("srv/app");
    expect(tarName("/srv//app/")).toBe("srv/app");
    expect(tarName("/")).toBe("");
    expect(tarName("/a/../../b")).toBe("b");
  });
});

describe("planSync", () => {
  it("copies the paths that are there and removes the missing ones, in order", () => {
    expect(
      planSync([
        item("/h/a", "/c/a", "file"),
        item("/h/gone", "/c/gone", "missing"),
        item("/h/d", "/c/d", "directory"),
        item("/h/l", "/c/l", "symlink"),
        item("/h/x", "/c/dir/", "missing"),
      ]),
    ).toEqual({
      copy: [m("/h/a", "/c/a"), m("/h/d", "/c/d"), m("/h/l", "/c/l")],
      remove: ["/c/gone", "/c/dir/x"],
    });
  });
  it("drops a path a copied directory already sends, whichever comes first", () => {
    expect(
      planSync([
        item("/h/d/sub/f", "/c/d/sub/f", "file"),
        item("/h/d", "/c/d", "directory"),
        item("/h/d/sub", "/c/d/sub", "directory"),
      ]),
    ).toEqual({ copy: [m("/h/d", "/c/d")], remove: [] });
  });
  it("keeps a path under a copied directory that another rule sends elsewhere", () => {
    expect(planSync([item("/h/d", "/c/d", "directory"), item("/h/d/f", "/other/f", "file")]).copy).toEqual([
      m("/h/d", "/c/d"),
      m("/h/d/f", "/other/f"),
    ]);
  });
  it("keeps a removal under a copied directory; drops one under a removed directory", () => {
    expect(
      planSync([
        item("/h/d", "/c/d", "directory"),
        item("/h/d/old", "/c/d/old", "missing"),
        item("/h/e", "/c/e", "missing"),
        item("/h/e/f", "/c/e/f", "missing"),
      ]),
    ).toEqual({ copy: [m("/h/d", "/c/d")], remove: ["/c/d/old", "/c/e"] });
  });
  it("never removes the container's /", () => {
    expect(planSync([item("/h/gone", "/", "missing"), item("/h/x", "/srv/..", "missing")]).remove).toEqual(
      [],
    );
  });
  it("counts exact duplicates once; a sibling with a common prefix is not inside", () => {
    expect(
      planSync([
        item("/h/a", "/c/a", "file"),
        item("/h/a", "/c/a", "file"),
        item("/h/d", "/c/d", "directory"),
        item("/h/dd", "/c/dd", "file"),
      ]).copy,
    ).toEqual([m("/h/a", "/c/a"), m("/h/d", "/c/d"), m("/h/dd", "/c/dd")]);
  });
});

describe("removeCommand", () => {
  it("is rm -rf of the paths, none for no path", () => {
    expect(removeCommand([])).toBeUndefined();
    expect(removeCommand(["/c/a", "/c/b c"])).toEqual(["rm", "-rf", "/c/a", "/c/b c"]);
  });
});

describe("dedupeByName", () => {
  it("keeps the last entry of a name, at its place", () => {
    const entries = [
      { path: "a", n: 1 },
      { path: "b", n: 2 },
      { path: "a", n: 3 },
      { path: "c", n: 4 },
    ];
    expect(dedupeByName(entries).map((e) => e.n)).toEqual([2, 3, 4]);
  });
});

describe("tar owners", () => {
  it("writes an entry's uid/gid in the header (0:0 without), a pax record when too big", () => {
    const header = (uid?: number, gid?: number) =>
      entryHeader({
        type: "directory",
        path: "d",
        mode: 0o755,
        mtime: 0,
        ...(uid !== undefined ? { uid } : {}),
        ...(gid !== undefined ? { gid } : {}),
      });
    const ids = (block: Buffer) => [block.subarray(108, 115).toString(), block.subarray(116, 123).toString()];
    expect(ids(header())).toEqual(["0000000", "0000000"]);
    expect(ids(header(1500, 1600))).toEqual(["0002734", "0003100"]);
    const big = header(3_000_000, 7);
    expect(big.length).toBe(512 * 3);
    expect(big.subarray(512, 1024).toString()).toContain("uid=3000000\n");
    expect(ids(big.subarray(1024))).toEqual(["0000000", "0000007"]);
  });
});

describe("collectEntries and syncTar", () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), "tcsync-unit-"));
    await mkdir(join(dir, "app/sub"), { recursive: true });
    await mkdir(join(dir, "app/node_modules/p"), { recursive: true });
    await writeFile(join(dir, "app/b.txt"), "bee\n");
    await writeFile(join(dir, "app/a.sh"), "#!/bin/sh\n");
    await chmod(join(dir, "app/a.sh"), 0o755);
    await writeFile(join(dir, "app/sub/c.txt"), "sea\n");
    await writeFile(join(dir, "app/sub/c.tmp"), "tmp\n");
    await writeFile(join(dir, "app/node_modules/p/x.js"), "x\n");
    await symlink("../nowhere", join(dir, "app/dangling"));
    await utimes(join(dir, "app/b.txt"), 1_700_000_000.9, 1_700_000_000.9);
    if (process.getuid?.() === 0) await lchown(join(dir, "app/b.txt"), 1500, 1600);
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it("walks a directory in name order, each directory before its contents, links as links, ignored ones left out", async () => {
    const seen: [string, boolean][] = [];
    const entries = await collectEntries([m(join(dir, "app"), "/srv/app")], (path, isDirectory) => {
      seen.push([path.slice(dir.length), isDirectory]);
      return path.endsWith("node_modules") || path.endsWith(".tmp");
    });
    expect(entries.map((e) => `${e.type} ${e.path}`)).toEqual([
      "directory srv/app",
      "file srv/app/a.sh",
      "file srv/app/b.txt",
      "symlink srv/app/dangling",
      "directory srv/app/sub",
      "file srv/app/sub/c.txt",
    ]);
    // not asked about the mapping's own path, nor about what is under an ignored directory
    expect(seen).toContainEqual(["/app/node_modules", true]);
    expect(seen).toContainEqual(["/app/sub/c.tmp", false]);
    expect(seen.some(([p]) => p === "/app" || p.includes("/node_modules/"))).toBe(false);
    const byPath = Object.fromEntries(entries.map((e) => [e.path, e]));
    expect((byPath["srv/app/a.sh"]?.mode ?? 0) & 0o777).toBe(0o755);
    expect(byPath["srv/app/b.txt"]?.mtime).toBe(1_700_000_000);
    expect(byPath["srv/app/dangling"]).toMatchObject({ type: "symlink", target: "../nowhere" });
  });

  it("sends a file mapped to a directory target under its name; a path gone is left out; / is no entry", async () => {
    const entries = await collectEntries([
      m(join(dir, "app/b.txt"), "/srv/"),
      m(join(dir, "nothing"), "/srv/nothing"),
      m(join(dir, "app/sub"), "/"),
    ]);
    expect(entries.map((e) => e.path)).toEqual(["srv/b.txt", "c.tmp", "c.txt"]);
  });

  it("makes a tar with the host owners and modes, leaving out a small file gone since the walk", async () => {
    await writeFile(join(dir, "late.txt"), "late\n");
    const entries = await collectEntries([
      m(join(dir, "app"), "/srv/app"),
      m(join(dir, "late.txt"), "/late"),
    ]);
    await rm(join(dir, "late.txt"));
    const read: { path: string; type: string; mode: number; uid: number; gid: number; data: string }[] = [];
    await readTar(syncTar(entries), async (entry, data) => {
      read.push({ ...entry, data: data.toString() });
    });
    expect(read.map((e) => e.path)).not.toContain("late");
    const b = read.find((e) => e.path === "srv/app/b.txt");
    expect(b?.data).toBe("bee\n");
    if (process.getuid?.() === 0) expect([b?.uid, b?.gid]).toEqual([1500, 1600]);
    else expect([b?.uid, b?.gid]).toEqual([process.getuid?.(), process.getgid?.()]);
    expect((read.find((e) => e.path === "srv/app/a.sh")?.mode ?? 0) & 0o777).toBe(0o755);
    expect(read.find((e) => e.path === "srv/app/sub/")?.type).toBe("5");
  });
});
