import { execFileSync } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import {
  appendFileSync,
  chmodSync,
  linkSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  utimesSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Readable } from "node:stream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  contextSharedKey,
  decodePacket,
  diffCopyMethod,
  encodePacket,
  type FsStat,
  filesyncHandlers,
  GoMode,
  PacketType,
  walkDir,
} from "../../src/project/build/session/filesync.js";
import { openBuildSession } from "../../src/project/build/session/index.js";
import { GrpcCode, type GrpcStatusError } from "../../src/project/build/session/types.js";
import { connectEngine, type Engine } from "../../src/project/engine/index.js";
import { uniqueProjectName } from "../helpers/project.js";

// The build context sent to BuildKit through the session (fsutil's DiffCopy), first to a receiver played
// here (walk order, stats, chunks), then to the real engine: a build with `remote=client-session`, its
// files read back from the image, and a rebuild after one change that asks for that file only.

const md5 = (data: Buffer | string) => createHash("md5").update(data).digest("hex");

/** Plays BuildKit's receiver: reads every stat, asks for the files `want` picks, answers FIN. */
async function receive(
  handlers: ReturnType<typeof filesyncHandlers>,
  metadata: Record<string, string[]>,
  want: (stat: FsStat) => boolean = () => true,
): Promise<{ stats: FsStat[]; data: Map<string, Buffer>; chunks: number[]; end: string }> {
  const handler = handlers.get(diffCopyMethod);
  if (handler?.kind !== "stream") throw new Error("no DiffCopy handler");
  const stats: FsStat[] = [];
  const data = new Map<string, Buffer>();
  const parts = new Map<number, Buffer[]>();
  const chunks: number[] = [];
  const inbox: Uint8Array[] = [];
  let wake: (() => void) | undefined;
  let ended = false;
  const push = (m: Uint8Array) => {
    inbox.push(m);
    wake?.();
  };
  let pendingFiles = 0;
  let end = "";
  const messages = (async function* () {
    for (;;) {
      while (inbox.length > 0) yield inbox.shift() as Uint8Array;
      if (ended) return;
      await new Promise<void>((resolve) => {
        wake = resolve;
      });
    }
  })();
  const finish = () => {
    push(encodePacket({ type: PacketType.FIN }));
  };
  let statsDone = false;
  const send = async (messages: Uint8Array | readonly Uint8Array[]) => {
    for (const message of Array.isArray(messages) ? messages : [messages]) onPacket(message as Uint8Array);
  };
  const onPacket = (message: Uint8Array) => {
    const p = decodePacket(message);
    if (p.type === PacketType.STAT) {
      if (!p.stat) {
        statsDone = true;
        if (pendingFiles === 0) finish();
        return;
      }
      const id = stats.length;
      stats.push(p.stat);
      if ((p.stat.mode & 0xfff80000) === 0 && !p.stat.linkname && want(p.stat)) {
        pendingFiles++;
        parts.set(id, []);
        push(encodePacket({ type: PacketType.REQ, id }));
      }
    } else if (p.type === PacketType.DATA) {
      const list = parts.get(p.id);
      if (!list) throw new Error(`data for ${p.id} not asked for`);
      if (p.data.length === 0) {
        data.set((stats[p.id] as FsStat).path, Buffer.concat(list));
        parts.delete(p.id);
        if (--pendingFiles === 0 && statsDone) finish();
      } else {
        chunks.push(p.data.length);
        list.push(Buffer.from(p.data));
      }
    } else if (p.type === PacketType.FIN) {
      end = "FIN";
      ended = true;
      wake?.();
    } else if (p.type === PacketType.ERR) {
      end = `ERR ${Buffer.from(p.data).toString()}`;
    }
  };
  const controller = new AbortController();
  await handler.handle({ messages, send }, { method: diffCopyMethod, metadata, signal: controller.signal });
  return { stats, data, chunks, end };
}

describe("fsutil DiffCopy from a directory", () => {
  let dir = "";

  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), "tcompose-filesync-"));
    mkdirSync(join(dir, "sub/deep"), { recursive: true });
    writeFileSync(join(dir, "a.txt"), "a\n");
    writeFileSync(join(dir, "a-b"), "ab\n");
    writeFileSync(join(dir, "B"), "B\n");
    writeFileSync(join(dir, "sub/deep/x"), "x\n");
    writeFileSync(join(dir, "big.bin"), randomBytes(300_000));
    writeFileSync(join(dir, "run.sh"), "#!/bin/sh\n", { mode: 0o755 });
    chmodSync(join(dir, "run.sh"), 0o755);
    linkSync(join(dir, "a.txt"), join(dir, "hard"));
    symlinkSync("a.txt", join(dir, "link"));
    symlinkSync("/etc/passwd", join(dir, "abs"));
    symlinkSync("sub/deep", join(dir, "dirlink"));
    utimesSync(join(dir, "B"), 1_700_000_000.5, 1_700_000_000.5);
  });

  afterAll(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it("walks depth first, names by byte order, with fsutil's stats (links, hard links, modes, mtimes)", async () => {
    const paths: string[] = [];
    const stats = new Map<string, FsStat>();
    for await (const e of walkDir(dir)) {
      paths.push(e.stat.path);
      stats.set(e.stat.path, e.stat);
    }
    expect(paths).toEqual([
      "B",
      "a-b",
      "a.txt",
      "abs",
      "big.bin",
      "dirlink",
      "hard",
      "link",
      "run.sh",
      "sub",
      "sub/deep",
      "sub/deep/x",
    ]);
    expect(stats.get("B")?.modTime).toBe(1_700_000_000_500_000_000n);
    expect(stats.get("run.sh")?.mode).toBe(0o755);
    expect(stats.get("sub")?.mode).toBe(GoMode.dir + (statSync(join(dir, "sub")).mode & 0o777));
    expect(stats.get("link")).toMatchObject({ mode: GoMode.symlink + 0o777, linkname: "a.txt" });
    expect(stats.get("abs")).toMatchObject({ linkname: "/etc/passwd" });
    expect(stats.get("hard")).toMatchObject({ mode: 0o644, linkname: "a.txt", size: 0 });
    expect(stats.get("a.txt")).toMatchObject({ linkname: "", size: 2, uid: process.getuid?.() });
  });

  it("sends what is asked in bounded chunks, then FIN; honours patterns, followpaths and the owner reset", async () => {
    const handlers = filesyncHandlers({ context: { dir, resetOwner: true } });
    const all = await receive(handlers, { "dir-name": ["context"] });
    expect(all.end).toBe("FIN");
    expect(all.stats.every((s) => s.uid === 0 && s.gid === 0)).toBe(true);
    expect(md5(all.data.get("big.bin") as Buffer)).toBe(md5(readFileSync(join(dir, "big.bin"))));
    expect(Math.max(...all.chunks)).toBeLessThanOrEqual(64 * 1024);
    expect(all.data.get("run.sh")?.toString()).toBe("#!/bin/sh\n");

    const some = await receive(handlers, {
      "dir-name": ["context"],
      "exclude-patterns": ["*.bin", "sub", "!sub/deep/x"],
    });
    expect(some.stats.map((s) => s.path)).toEqual([
      "B",
      "a-b",
      "a.txt",
      "abs",
      "dirlink",
      "hard",
      "link",
      "run.sh",
      "sub",
      "sub/deep",
      "sub/deep/x",
    ]);

    // followpaths: the link is kept and what it leads to (inside the directory) is sent too.
    const followed = await receive(handlers, { "dir-name": ["context"], followpaths: ["dirlink/x", "link"] });
    expect(followed.stats.map((s) => s.path)).toEqual([
      "a.txt",
      "dirlink",
      "link",
      "sub",
      "sub/deep",
      "sub/deep/x",
    ]);
    const included = await receive(handlers, { "dir-name": ["context"], "include-patterns": ["sub/deep"] });
    expect(included.stats.map((s) => s.path)).toEqual(["sub", "sub/deep", "sub/deep/x"]);
  });

  it("sends a file as it is when asked, grown since the walk included", async () => {
    writeFileSync(join(dir, "grows"), "abc");
    const extra = randomBytes(200_000);
    const handlers = filesyncHandlers(
      { context: { dir } },
      { onRequest: (r) => r.path === "grows" && appendFileSync(join(dir, "grows"), extra) },
    );
    try {
      const got = await receive(handlers, { "dir-name": ["context"], "include-patterns": ["grows"] });
      expect(got.stats.map((s) => [s.path, s.size])).toEqual([["grows", 3]]);
      expect(got.data.get("grows")?.equals(Buffer.concat([Buffer.from("abc"), extra]))).toBe(true);
    } finally {
      rmSync(join(dir, "grows"));
    }
  });

  it("refuses a directory it does not serve, and reports a receiver's error", async () => {
    const handlers = filesyncHandlers({ context: { dir } });
    const refused = await receive(handlers, { "dir-name": ["secret"] }).then(
      () => undefined,
      (e: GrpcStatusError) => e,
    );
    expect(refused?.code).toBe(GrpcCode.NotFound);
    const missing = filesyncHandlers({ context: { dir: join(dir, "nope") } });
    const failed = await receive(missing, { "dir-name": ["context"] }).then(
      () => "done",
      (e: Error) => e.message,
    );
    expect(failed).toMatch(/nope/);
  });
});

describe("BuildKit build context through the session against the real engine", () => {
  let engine: Engine;
  let dir = "";
  const tag = `${uniqueProjectName("filesync")}:latest`;
  const requests: string[] = [];
  let firstRequests: string[] = [];
  const manyFiles = 1500;

  const build = async () => {
    requests.length = 0;
    const session = await openBuildSession(engine, {
      name: "filesync-test",
      sharedKey: contextSharedKey(dir),
      handlers: filesyncHandlers(
        { context: { dir, resetOwner: true }, dockerfile: { dir } },
        { onRequest: (r) => requests.push(`${r.dirName}:${r.path}`) },
      ),
    });
    try {
      const errors: string[] = [];
      await engine.buildImage(
        {
          context: Readable.from([]),
          query: {
            version: "2",
            remote: "client-session",
            session: session.id,
            dockerfile: "Dockerfile",
            t: tag,
          },
        },
        (m) => {
          if (m.error) errors.push(m.error);
        },
      );
      expect(errors).toEqual([]);
    } finally {
      await session.close();
    }
  };

  const run = (script: string) =>
    execFileSync("docker", ["run", "--rm", "--entrypoint", "sh", tag, "-c", script], { encoding: "utf8" });

  beforeAll(async () => {
    engine = await connectEngine();
    dir = mkdtempSync(join(tmpdir(), "tcompose-filesync-build-"));
    writeFileSync(join(dir, "Dockerfile"), "FROM busybox:1.36\nCOPY . /ctx\n");
    writeFileSync(join(dir, ".dockerignore"), "ignored.txt\n**/*.tmp\n");
    writeFileSync(join(dir, "ignored.txt"), "no\n");
    writeFileSync(join(dir, "a.txt"), "hello\n");
    writeFileSync(join(dir, "private"), "p\n", { mode: 0o600 });
    chmodSync(join(dir, "private"), 0o600);
    writeFileSync(join(dir, "run.sh"), "#!/bin/sh\necho hi\n");
    chmodSync(join(dir, "run.sh"), 0o755);
    symlinkSync("a.txt", join(dir, "link"));
    symlinkSync("/etc/hostname", join(dir, "abs"));
    symlinkSync("../../outside", join(dir, "escape"));
    writeFileSync(join(dir, "big.bin"), randomBytes(3 * 1024 * 1024 + 17));
    mkdirSync(join(dir, "many/sub"), { recursive: true });
    for (let i = 0; i < manyFiles; i++) {
      writeFileSync(
        join(dir, i % 2 ? "many" : "many/sub", `f${String(i).padStart(4, "0")}.txt`),
        `file ${i}\n`,
      );
    }
    writeFileSync(join(dir, "many/sub/x.tmp"), "tmp\n");
    if (!(await engine.hasImage("busybox:1.36"))) await engine.pullImage("busybox:1.36");
    await build();
    firstRequests = [...requests];
  });

  afterAll(async () => {
    await engine?.removeImage(tag, { force: true }).catch(() => {});
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it("copies the context's files with their modes, owners, links and content; .dockerignore'd files absent", () => {
    const listing = run(
      "cd /ctx && find . -maxdepth 1 | sort && stat -c '%n %a %u:%g %F' a.txt private run.sh link many && " +
        "for l in link abs escape; do readlink $l; done && md5sum big.bin && find many -type f | wc -l && ls many/sub/x.tmp 2>&1 || true",
    );
    const lines = listing.split("\n");
    expect(lines.slice(0, 12)).toEqual([
      ".",
      "./.dockerignore",
      "./Dockerfile",
      "./a.txt",
      "./abs",
      "./big.bin",
      "./escape",
      "./link",
      "./many",
      "./private",
      "./run.sh",
      "a.txt 644 0:0 regular file",
    ]);
    expect(listing).toContain("private 600 0:0 regular file\n");
    expect(listing).toContain("run.sh 755 0:0 regular file\n");
    expect(listing).toContain("link 777 0:0 symbolic link\n");
    expect(listing).toContain("many 755 0:0 directory\n");
    expect(listing).toContain("a.txt\n/etc/hostname\n../../outside\n");
    expect(listing).toContain(`${md5(readFileSync(join(dir, "big.bin")))}  big.bin\n`);
    expect(listing).toContain(`${manyFiles}\n`);
    expect(listing).toMatch(/x\.tmp: No such file or directory/);
  });

  it("asks for every file on the first build, then only the changed one", async () => {
    expect(firstRequests).toContain("dockerfile:Dockerfile");
    expect(firstRequests).toContain("context:.dockerignore");
    expect(firstRequests).toContain("context:many/f0007.txt");
    expect(firstRequests).not.toContain("context:ignored.txt");
    // Regular files of the context (hard links and links are not asked for); .dockerignore twice (once
    // alone, read by the frontend, once with the context).
    expect(firstRequests.filter((r) => r.startsWith("context:")).length).toBe(manyFiles + 7);
    await build();
    expect(requests.filter((r) => r.startsWith("context:"))).toEqual([]);
    writeFileSync(join(dir, "many/f0007.txt"), "changed\n");
    await build();
    expect(requests).toEqual(["context:many/f0007.txt"]);
    expect(run("cat /ctx/many/f0007.txt /ctx/a.txt")).toBe("changed\nhello\n");
  });
});
