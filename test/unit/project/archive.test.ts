import {
  chmodSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Readable } from "node:stream";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  entryPath,
  extractTar,
  readTar,
  symlinkInside,
  type TarEntry,
  tarLocal,
} from "../../../src/project/archive.js";

describe("entryPath", () => {
  it("cleans a tar entry's path, the root being '.'", () => {
    expect(entryPath("data/sub/")).toBe("data/sub");
    expect(entryPath("./data//a")).toBe("data/a");
    expect(entryPath("./")).toBe(".");
    expect(entryPath(".")).toBe(".");
  });

  it("refuses absolute paths and any '..' element", () => {
    for (const path of ["/etc/passwd", "..", "../x", "data/../../x", "data/../x", "a/.."]) {
      expect(entryPath(path)).toBeUndefined();
    }
  });

  it("renames the archive's root as docker's RebaseArchiveEntries", () => {
    expect(entryPath("data", { from: "data", to: "new" })).toBe("new");
    expect(entryPath("data/sub/f", { from: "data", to: "new" })).toBe("new/sub/f");
    expect(entryPath("data2/f", { from: "data", to: "new" })).toBe("data2/f");
    expect(entryPath(".", { from: ".", to: "new" })).toBe("new");
    expect(entryPath("./f", { from: ".", to: "new" })).toBe("new/f");
    expect(entryPath("data/f", { from: "data", to: ".." })).toBeUndefined();
  });
});

describe("symlinkInside", () => {
  it("takes the target from the link's own directory", () => {
    expect(symlinkInside("data/link", "a")).toBe(true);
    expect(symlinkInside("data/link", "../a")).toBe(true);
    expect(symlinkInside("data/link", "..")).toBe(true);
    expect(symlinkInside("data/sub/link", "../../x")).toBe(true);
    expect(symlinkInside("data/link", "../../x")).toBe(false);
    expect(symlinkInside("data/link", "../../../../tmp/x")).toBe(false);
    expect(symlinkInside("link", "../x")).toBe(false);
    expect(symlinkInside("data/link", "sub/../../../x")).toBe(false);
  });

  it("takes an absolute target from the link's directory too, as docker does", () => {
    expect(symlinkInside("data/link", "/tmp/x")).toBe(true);
    expect(symlinkInside("data/link", "/../../x")).toBe(false);
  });
});

// ------------------------------------------------------------------------------------------------ on disk

interface Item {
  path: string;
  type?: "0" | "1" | "2" | "5";
  mode?: number;
  link?: string;
  data?: string;
}

/** A ustar archive of hand-made entries (the engine never writes the hostile ones). */
function tar(items: Item[]): Readable {
  const blocks: Buffer[] = [];
  for (const item of items) {
    const data = Buffer.from(item.data ?? "");
    const block = Buffer.alloc(512);
    const octal = (n: number, len: number) => `${n.toString(8).padStart(len - 1, "0")}\0`;
    block.write(item.path, 0);
    block.write(octal(item.mode ?? (item.type === "5" ? 0o755 : 0o644), 8), 100);
    block.write(octal(0, 8), 108);
    block.write(octal(0, 8), 116);
    block.write(octal(data.length, 12), 124);
    block.write(octal(1_600_000_000, 12), 136);
    block.write("        ", 148);
    block.write(item.type ?? "0", 156);
    block.write(item.link ?? "", 157);
    block.write("ustar\u000000", 257);
    let sum = 0;
    for (const byte of block) sum += byte;
    block.write(`${sum.toString(8).padStart(6, "0")}\0 `, 148);
    blocks.push(block, data, Buffer.alloc((512 - (data.length % 512)) % 512));
  }
  blocks.push(Buffer.alloc(1024));
  return Readable.from([Buffer.concat(blocks)]);
}

describe("extractTar", () => {
  let base: string;
  let dst: string;
  let outside: string;
  beforeEach(() => {
    base = mkdtempSync(join(tmpdir(), "tct-archive-"));
    dst = join(base, "dst");
    outside = join(base, "outside");
    mkdirSync(dst);
    mkdirSync(outside);
    chmodSync(outside, 0o700);
    writeFileSync(join(outside, "secret"), "secret\n");
  });
  afterEach(() => rmSync(base, { recursive: true, force: true }));

  const untouched = () => {
    expect(readdirSync(outside)).toEqual(["secret"]);
    expect(statSync(outside).mode & 0o7777).toBe(0o700);
    expect(readFileSync(join(outside, "secret"), "utf8")).toBe("secret\n");
    expect(statSync(join(outside, "secret")).nlink).toBe(1);
  };

  it("extracts files, directories and links with their modes, leaving the directory itself as it is", async () => {
    chmodSync(dst, 0o700);
    await extractTar(
      tar([
        { path: "./", type: "5", mode: 0o777 },
        { path: "d/", type: "5", mode: 0o750 },
        { path: "d/f", mode: 0o640, data: "hello\n" },
        { path: "d/up", type: "2", link: "../d/f" },
        { path: "d/abs", type: "2", link: "/etc/passwd" },
        { path: "d/h", type: "1", link: "d/f" },
      ]),
      dst,
    );
    expect(statSync(dst).mode & 0o7777).toBe(0o700);
    expect(statSync(join(dst, "d")).mode & 0o7777).toBe(0o750);
    expect(statSync(join(dst, "d")).mtimeMs).toBe(1_600_000_000_000);
    expect(readFileSync(join(dst, "d/f"), "utf8")).toBe("hello\n");
    expect(statSync(join(dst, "d/f")).mode & 0o7777).toBe(0o640);
    expect(readlinkSync(join(dst, "d/up"))).toBe("../d/f");
    expect(readlinkSync(join(dst, "d/abs"))).toBe("/etc/passwd");
    expect(statSync(join(dst, "d/h")).nlink).toBe(2);
  });

  it("renames the root and the hard links' targets with it", async () => {
    await extractTar(
      tar([
        { path: "data/", type: "5" },
        { path: "data/f", data: "x" },
        { path: "data/g", type: "1", link: "data/f" },
      ]),
      dst,
      { from: "data", to: "new" },
    );
    expect(statSync(join(dst, "new/g")).nlink).toBe(2);
  });

  it("refuses a directory entry over a symbolic link to a directory outside (docker's message)", async () => {
    mkdirSync(join(dst, "data"));
    symlinkSync(outside, join(dst, "data/sub"));
    const run = extractTar(
      tar([
        { path: "data/", type: "5" },
        { path: "data/sub/", type: "5" },
        { path: "data/sub/pwned", data: "x" },
      ]),
      dst,
    );
    await expect(run).rejects.toThrow(
      `cannot overwrite non-directory "${join(dst, "data/sub")}" with directory "${dst}"`,
    );
    untouched();
  });

  it("never writes through a symbolic link in an entry's parents, even without its directory entry", async () => {
    mkdirSync(join(dst, "data"));
    symlinkSync(outside, join(dst, "data/sub"));
    await expect(extractTar(tar([{ path: "data/sub/pwned", data: "x" }]), dst)).rejects.toThrow(
      `cannot overwrite non-directory "${join(dst, "data/sub")}"`,
    );
    untouched();
  });

  it("never writes through a symbolic link the archive made", async () => {
    const run = extractTar(
      tar([
        { path: "abs", type: "2", link: outside },
        { path: "abs/pwned", data: "x" },
      ]),
      dst,
    );
    await expect(run).rejects.toThrow(`cannot overwrite non-directory "${join(dst, "abs")}"`);
    untouched();
  });

  it("replaces a symbolic link where a file goes, never writing to its target", async () => {
    symlinkSync(join(outside, "secret"), join(dst, "f"));
    await extractTar(tar([{ path: "f", data: "new\n", mode: 0o600 }]), dst);
    expect(lstatSync(join(dst, "f")).isFile()).toBe(true);
    expect(readFileSync(join(dst, "f"), "utf8")).toBe("new\n");
    untouched();
  });

  it("refuses a symbolic link that climbs out of the directory (docker's message)", async () => {
    const run = extractTar(
      tar([
        { path: "data/", type: "5" },
        { path: "data/link", type: "2", link: "../../../../tmp/x" },
      ]),
      dst,
    );
    await expect(run).rejects.toThrow(`invalid symlink "${join(dst, "data/link")}" -> "../../../../tmp/x"`);
    expect(readdirSync(join(dst, "data"))).toEqual([]);
  });

  it("refuses absolute and '..' entry paths", async () => {
    for (const path of ["../outside/pwned", "data/../../outside/pwned", `${outside}/pwned`]) {
      await expect(extractTar(tar([{ path, data: "x" }]), dst)).rejects.toThrow(
        `${JSON.stringify(path)} is outside of "${dst}"`,
      );
    }
    untouched();
    expect(readdirSync(dst)).toEqual([]);
  });

  it("refuses hard links out of the directory or through a symbolic link", async () => {
    symlinkSync(outside, join(dst, "out"));
    for (const link of ["../outside/secret", "out/secret", outside]) {
      await expect(extractTar(tar([{ path: "h", type: "1", link }]), dst)).rejects.toThrow(
        "invalid hardlink",
      );
    }
    untouched();
    expect(readdirSync(dst)).toEqual(["out"]);
  });

  it("never replaces a directory by a file nor a file by a directory", async () => {
    mkdirSync(join(dst, "d"));
    writeFileSync(join(dst, "f"), "f");
    await expect(extractTar(tar([{ path: "d", data: "x" }]), dst)).rejects.toThrow(
      `cannot overwrite directory "${join(dst, "d")}" with non-directory "${dst}"`,
    );
    await expect(extractTar(tar([{ path: "f/", type: "5" }]), dst)).rejects.toThrow(
      `cannot overwrite non-directory "${join(dst, "f")}" with directory "${dst}"`,
    );
    expect(readFileSync(join(dst, "f"), "utf8")).toBe("f");
  });
});

describe("readTar", () => {
  it("reads the same entries and data however the stream is cut", async () => {
    const items: Item[] = [
      { path: "d/", type: "5" },
      { path: "d/big", data: "x".repeat(20_000) },
      { path: "d/small", data: "hello\n" },
      { path: "d/link", type: "2", link: "small" },
    ];
    const whole = Buffer.concat(await tar(items).toArray());
    const read = async (chunks: Buffer[]) => {
      const out: string[] = [];
      await readTar(Readable.from(chunks), async (entry, data) => {
        out.push(`${entry.type} ${entry.path} ${entry.linkname} ${data.length} ${data.subarray(0, 6)}`);
      });
      return out;
    };
    const expected = await read([whole]);
    expect(expected).toEqual([
      "5 d/  0 ",
      "0 d/big  20000 xxxxxx",
      "0 d/small  6 hello\n",
      "2 d/link small 0 ",
    ]);
    for (const size of [7, 511, 513, 4096, 65_536]) {
      const chunks: Buffer[] = [];
      for (let i = 0; i < whole.length; i += size) chunks.push(whole.subarray(i, i + size));
      expect(await read(chunks)).toEqual(expected);
    }
  });
});

describe("tarLocal", () => {
  let base: string;
  beforeEach(() => {
    base = mkdtempSync(join(tmpdir(), "tct-archive-"));
  });
  afterEach(() => rmSync(base, { recursive: true, force: true }));

  const entries = async (stream: Readable) => {
    const out: TarEntry[] = [];
    await readTar(stream, async (entry) => {
      out.push(entry);
    });
    return out.map((e) => `${e.type} ${e.path}${e.linkname ? ` -> ${e.linkname}` : ""}`);
  };

  it("archives symbolic links as links, following only the root when asked", async () => {
    mkdirSync(join(base, "outside"));
    writeFileSync(join(base, "outside/secret"), "s");
    mkdirSync(join(base, "src"));
    symlinkSync("../outside", join(base, "src/out"));
    symlinkSync("src", join(base, "root"));
    expect(await entries(tarLocal(join(base, "src"), "src", false))).toEqual([
      "5 src/",
      "2 src/out -> ../outside",
    ]);
    expect(await entries(tarLocal(join(base, "root"), "root", false))).toEqual(["2 root -> src"]);
    expect(await entries(tarLocal(join(base, "root"), ".", true))).toEqual(["2 out -> ../outside"]);
  });

  it("refuses a root name that is not one relative element", () => {
    for (const name of ["..", "/", "a/b", ""]) {
      expect(() => tarLocal(base, name, false)).toThrow("invalid name in archive");
    }
  });
});
