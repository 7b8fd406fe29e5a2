import { execFileSync } from "node:child_process";
import { mkdir, mkdtemp, open, rm, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Writable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { contextTar } from "../../../src/project/build/context.js";
import {
  entryHeader,
  paxRecord,
  splitUstarPath,
  type TarEntry,
  tarChunks,
  tarStream,
} from "../../../src/project/build/tar.js";

async function collect(stream: NodeJS.ReadableStream): Promise<Buffer> {
  const chunks: Buffer[] = [];
  await pipeline(
    stream,
    new Writable({
      write(chunk, _enc, done) {
        chunks.push(chunk as Buffer);
        done();
      },
    }),
  );
  return Buffer.concat(chunks);
}

/** `tar -tv` of an archive: GNU tar reads it back, so the headers are right. */
function list(archive: Buffer, dir: string, verbose = false): string[] {
  const file = join(dir, `t-${Math.random().toString(16).slice(2)}.tar`);
  execFileSync("sh", ["-c", `cat > ${file}`], { input: archive });
  return execFileSync("tar", [verbose ? "-tvf" : "-tf", file], { encoding: "utf8" })
    .trim()
    .split("\n");
}

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "tct-tar-"));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe("tar writer", () => {
  it("writes ustar headers with a valid checksum, mode, size and type", () => {
    const header = entryHeader({
      type: "file",
      path: "a.txt",
      mode: 0o755,
      mtime: 1_700_000_000,
      size: 5,
      source: { kind: "bytes", data: Buffer.from("hello") },
    });
    expect(header.length).toBe(512);
    expect(header.subarray(0, 5).toString()).toBe("a.txt");
    expect(header.subarray(100, 107).toString()).toBe("0000755");
    expect(header.subarray(124, 135).toString()).toBe("00000000005");
    expect(header.subarray(156, 157).toString()).toBe("0");
    expect(header.subarray(257, 263).toString()).toBe("ustar\0");
    const stored = Number.parseInt(header.subarray(148, 154).toString(), 8);
    const copy = Buffer.from(header);
    copy.fill(0x20, 148, 156);
    expect(stored).toBe(copy.reduce((s, b) => s + b, 0));
  });

  it("splits a long path into prefix and name, and uses pax beyond that", () => {
    const long = `${"d".repeat(60)}/${"e".repeat(60)}/f.txt`;
    expect(splitUstarPath(long)).toEqual({ prefix: "d".repeat(60), name: `${"e".repeat(60)}/f.txt` });
    expect(splitUstarPath(`x/${"n".repeat(120)}`)).toBeUndefined();
    expect(paxRecord("path", "abc")).toBe("12 path=abc\n");
    expect(paxRecord("path", "a".repeat(90))).toBe(`99 path=${"a".repeat(90)}\n`);
    expect(paxRecord("path", "a".repeat(91))).toBe(`101 path=${"a".repeat(91)}\n`);
  });

  it("streams files, directories, symlinks and long names that tar reads back", async () => {
    const longName = `${"n".repeat(150)}.txt`;
    const archive = await collect(
      tarStream([
        { type: "directory", path: "sub", mode: 0o755, mtime: 0 },
        {
          type: "file",
          path: "sub/a.sh",
          mode: 0o755,
          mtime: 0,
          size: 3,
          source: { kind: "bytes", data: Buffer.from("hi\n") },
        },
        { type: "symlink", path: "link", mode: 0o777, mtime: 0, target: "sub/a.sh" },
        {
          type: "file",
          path: `sub/${longName}`,
          mode: 0o644,
          mtime: 0,
          size: 0,
          source: { kind: "bytes", data: Buffer.alloc(0) },
        },
      ]),
    );
    expect(archive.length % 512).toBe(0);
    expect(list(archive, dir)).toEqual(["sub/", "sub/a.sh", "link", `sub/${longName}`]);
    const verbose = list(archive, dir, true);
    expect(verbose[1]).toMatch(/^-rwxr-xr-x 0\/0 +3 .* sub\/a\.sh$/);
    expect(verbose[2]).toMatch(/^lrwxrwxrwx .* link -> sub\/a\.sh$/);
  });

  it("reads a context from disk lazily, leaving out what .dockerignore excludes", async () => {
    const ctx = join(dir, "ctx");
    await mkdir(join(ctx, "sub", "deep"), { recursive: true });
    await mkdir(join(ctx, "docs"), { recursive: true });
    await writeFile(join(ctx, "Dockerfile"), "FROM busybox:1.36\n");
    await writeFile(join(ctx, ".dockerignore"), "*.log\n**/*.tmp\ndocs\n!docs/keep.md\nDockerfile\n");
    await writeFile(join(ctx, "a.log"), "x");
    await writeFile(join(ctx, "big.bin"), Buffer.alloc(300_000, 7));
    await writeFile(join(ctx, "sub", "deep", "b.tmp"), "x");
    await writeFile(join(ctx, "sub", "c.txt"), "x");
    await writeFile(join(ctx, "docs", "keep.md"), "x");
    await writeFile(join(ctx, "docs", "drop.md"), "x");
    await symlink("sub/c.txt", join(ctx, "ln"));
    const archive = await collect(await contextTar({ contextDir: ctx, dockerfile: "Dockerfile" }));
    expect(list(archive, dir)).toEqual([
      ".dockerignore",
      "Dockerfile",
      "big.bin",
      "docs/keep.md",
      "ln",
      "sub/",
      "sub/c.txt",
      "sub/deep/",
    ]);
    // The file's bytes are all there, padded to whole blocks.
    expect(archive.length).toBeGreaterThan(300_000);
  });

  it("adds an inline Dockerfile and names it in the tar's .dockerignore", async () => {
    const ctx = join(dir, "inline");
    await mkdir(ctx, { recursive: true });
    await writeFile(join(ctx, "f.txt"), "x");
    const archive = await collect(
      await contextTar({
        contextDir: ctx,
        dockerfile: ".dockerfile.abc",
        addedDockerfile: { text: "FROM busybox:1.36\n" },
      }),
    );
    expect(list(archive, dir)).toEqual(["f.txt", ".dockerfile.abc", ".dockerignore"]);
    const text = archive.toString("latin1");
    expect(text).toContain(".dockerignore\n.dockerfile.abc\n");
  });

  it("prefers <Dockerfile>.dockerignore to .dockerignore", async () => {
    const ctx = join(dir, "own");
    await mkdir(ctx, { recursive: true });
    await writeFile(join(ctx, "app.Dockerfile"), "FROM busybox:1.36\n");
    await writeFile(join(ctx, "app.Dockerfile.dockerignore"), "b.txt\n");
    await writeFile(join(ctx, ".dockerignore"), "a.txt\n");
    await writeFile(join(ctx, "a.txt"), "x");
    await writeFile(join(ctx, "b.txt"), "x");
    const archive = await collect(await contextTar({ contextDir: ctx, dockerfile: "app.Dockerfile" }));
    const names = list(archive, dir);
    expect(names).toContain("a.txt");
    expect(names).not.toContain("b.txt");
  });
});

// A build context can be gigabytes: the tar must come out as it is read, never after the whole context was
// read into memory. Seen from outside: what is on disk when a part of the tar is produced is what it holds.
describe("tar streaming", () => {
  it("asks for the next entry only when the previous one's bytes were taken", async () => {
    const pulled: string[] = [];
    function* entries(): Generator<TarEntry> {
      for (const name of ["a.txt", "b.txt", "c.txt"]) {
        pulled.push(name);
        const data = Buffer.from(name);
        yield {
          type: "file",
          path: name,
          mode: 0o644,
          mtime: 0,
          size: data.length,
          source: { kind: "bytes", data },
        };
      }
    }
    const chunks = tarChunks(entries());
    await chunks.next(); // a.txt's header
    expect(pulled).toEqual(["a.txt"]);
    await chunks.next(); // its data
    await chunks.next(); // its padding
    expect(pulled).toEqual(["a.txt"]);
    await chunks.next(); // b.txt's header
    expect(pulled).toEqual(["a.txt", "b.txt"]);
    await chunks.return(undefined);
  });

  it("reads the context from disk as the stream is consumed: later files and a big file's end are read late", async () => {
    const ctx = join(dir, "lazy");
    await mkdir(ctx, { recursive: true });
    await writeFile(join(ctx, "Dockerfile"), "FROM busybox:1.36\n");
    // 4 MiB: far more than the stream reads ahead (one 64 KiB read of the file at a time).
    const size = 4 * 1024 * 1024;
    await writeFile(join(ctx, "m.bin"), Buffer.alloc(size, "m"));
    await writeFile(join(ctx, "z.txt"), "z-before\n");

    const stream = await contextTar({ contextDir: ctx, dockerfile: "Dockerfile" });
    const reader = stream[Symbol.asyncIterator]();
    const got: Buffer[] = [];
    const take = async () => {
      const next = await reader.next();
      if (!next.done) got.push(next.value as Buffer);
      return !next.done;
    };
    await take();
    // The first chunk is Dockerfile's header alone.
    expect(got[0]?.length).toBe(512);
    expect(got[0]?.subarray(0, 10).toString()).toBe("Dockerfile");
    // Take chunks up to the first of m.bin's data (its header is the third block).
    while (Buffer.concat(got).length <= 3 * 512) await take();
    expect(Buffer.concat(got).subarray(1024, 1029).toString()).toBe("m.bin");
    // Let the stream read ahead as far as it goes on its own, then change what it should not have read
    // yet: the end of m.bin (same size) and all of z.txt (another size).
    await new Promise((resolve) => setTimeout(resolve, 200));
    const tail = Buffer.from("TAIL-WRITTEN-AFTER-THE-FIRST-CHUNKS");
    const handle = await open(join(ctx, "m.bin"), "r+");
    await handle.write(tail, 0, tail.length, size - tail.length);
    await handle.close();
    await writeFile(join(ctx, "z.txt"), "z-after-the-first-chunks\n");

    while (await take());
    const archive = Buffer.concat(got);
    // Read whole before it was sent (the context, or m.bin at once), the tar would hold the old bytes.
    expect(archive.includes(tail)).toBe(true);
    expect(archive.includes(Buffer.from("z-after-the-first-chunks\n"))).toBe(true);
    expect(archive.includes(Buffer.from("z-before"))).toBe(false);
    // No chunk holds more than one read of a file.
    expect(Math.max(...got.map((c) => c.length))).toBeLessThanOrEqual(64 * 1024);
    expect(list(archive, dir, true).map((l) => l.replace(/^\S+ \S+ +(\d+) .* (\S+)$/, "$2 $1"))).toEqual([
      "Dockerfile 18",
      `m.bin ${size}`,
      "z.txt 25",
    ]);
  });
});
