import {
  chmodSync,
  existsSync,
  lstatSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Engine } from "../../src/project/engine/types.js";
import { connectEngine, lines, Stack } from "../helpers/day2.js";
import { referenceBinary, referenceSkipNote } from "../helpers/paths.js";

describe.skipIf(!referenceBinary)(`cp${referenceSkipNote}`, () => {
  let engine: Engine;
  let stack: Stack;
  beforeAll(async () => {
    engine = await connectEngine();
    stack = await Stack.up("cp");
    mkdirSync(join(stack.dir, "src/sub"), { recursive: true });
    writeFileSync(join(stack.dir, "src/a.txt"), "hello\n");
    writeFileSync(join(stack.dir, "src/sub/b.txt"), "sub\n");
    symlinkSync("a.txt", join(stack.dir, "src/link"));
  });
  afterAll(async () => {
    await stack?.remove(engine);
  });
  const inside = (n: number, script: string) =>
    stack.tc("exec", "-T", "--index", String(n), "web", "sh", "-c", script);

  it("copies a directory into every container of the service, with the reference's lines", () => {
    const a = stack.tc("cp", "src", "web:/tmp/");
    expect(a.code).toBe(0);
    expect(lines(a.stderr, stack.name)).toEqual([
      " P-web-1 copy src to P-web-1:/tmp/ Copied",
      " P-web-1 copy src to P-web-1:/tmp/ Copying",
      " P-web-2 copy src to P-web-2:/tmp/ Copied",
      " P-web-2 copy src to P-web-2:/tmp/ Copying",
    ]);
    for (const n of [1, 2]) {
      expect(inside(n, "cat /tmp/src/a.txt /tmp/src/sub/b.txt; readlink /tmp/src/link").stdout).toBe(
        "hello\nsub\na.txt\n",
      );
    }
  });

  it("renames to a destination that does not exist; --index copies to one replica", () => {
    expect(stack.tc("cp", "--index", "2", "src/a.txt", "web:/tmp/renamed.txt").code).toBe(0);
    expect(inside(2, "cat /tmp/renamed.txt").stdout).toBe("hello\n");
    expect(inside(1, "cat /tmp/renamed.txt").code).toBe(1);
  });

  it("copies back from a container, a directory's contents with /., and a tar on stdout", () => {
    expect(stack.tc("cp", "web:/tmp/src", "./out").code).toBe(0);
    expect(readFileSync(join(stack.dir, "out/sub/b.txt"), "utf8")).toBe("sub\n");
    expect(readlinkSync(join(stack.dir, "out/link"))).toBe("a.txt");
    mkdirSync(join(stack.dir, "into"));
    expect(stack.tc("cp", "web:/tmp/src/.", "into").code).toBe(0);
    expect(readFileSync(join(stack.dir, "into/a.txt"), "utf8")).toBe("hello\n");
    expect(statSync(join(stack.dir, "into/sub")).isDirectory()).toBe(true);
    const tar = stack.tc("cp", "web:/tmp/src/a.txt", "-");
    expect(tar.stdout.slice(0, 5)).toBe("a.txt");
    expect(tar.stdout).toContain("hello\n");
  });

  it("never writes through a symbolic link in the destination, nor makes one that climbs out (as the reference)", () => {
    const made = inside(
      1,
      "mkdir -p /data/sub /esc && echo pw > /data/sub/pwned && ln -s ../../../../tmp/x /esc/link && echo a > /esc/a",
    );
    expect(made.code).toBe(0);
    const dst = join(stack.dir, "dst");
    const outside = join(stack.dir, "outside");
    const reset = () => {
      rmSync(dst, { recursive: true, force: true });
      rmSync(outside, { recursive: true, force: true });
      mkdirSync(join(dst, "data"), { recursive: true });
      mkdirSync(outside, { mode: 0o700 });
      chmodSync(outside, 0o700);
      symlinkSync("../../outside", join(dst, "data/sub"));
    };
    const cases = [
      {
        src: "web:/data",
        message: `cannot overwrite non-directory "${dst}/data/sub" with directory "${dst}"`,
      },
      { src: "web:/esc", message: `invalid symlink "${dst}/esc/link" -> "../../../../tmp/x"` },
    ];
    for (const { src, message } of cases) {
      for (const run of [stack.tc, stack.ref]) {
        reset();
        const r = run.call(stack, "--progress", "quiet", "cp", "--index", "1", src, "dst/");
        expect(r.code).toBe(1);
        expect(r.stderr.replace("tcompose: ", "")).toBe(`${message}\n`);
        expect(readdirSync(outside)).toEqual([]);
        expect(statSync(outside).mode & 0o7777).toBe(0o700);
        expect(readlinkSync(join(dst, "data/sub"))).toBe("../../outside");
        expect(existsSync(join(dst, "esc/link"))).toBe(false);
      }
    }
  });

  it("follows a link the user names as the destination, or as the source with LINK/., as the reference", () => {
    writeFileSync(join(stack.dir, "target.txt"), "old\n");
    symlinkSync("target.txt", join(stack.dir, "flink"));
    expect(stack.tc("cp", "web:/tmp/src/a.txt", "flink").code).toBe(0);
    expect(lstatSync(join(stack.dir, "flink")).isSymbolicLink()).toBe(true);
    expect(readFileSync(join(stack.dir, "target.txt"), "utf8")).toBe("hello\n");
    symlinkSync("src", join(stack.dir, "dlink"));
    expect(inside(1, "mkdir /tmp/viadot").code).toBe(0);
    expect(stack.tc("cp", "--index", "1", "dlink/.", "web:/tmp/viadot").code).toBe(0);
    expect(inside(1, "cat /tmp/viadot/a.txt").stdout).toBe("hello\n");
  });

  it("fails like the reference on bad directions and paths", () => {
    for (const args of [
      ["web:/x", "db:/y"],
      ["a", "b"],
      ["src", "web:/etc/hostname"],
      ["src/a.txt", "web:/nosuchdir/x/"],
      ["src", "nosuch:/tmp"],
    ]) {
      const a = stack.tc("--progress", "quiet", "cp", ...args);
      const b = stack.ref("cp", ...args);
      expect(a.code).toBe(1);
      expect(b.code).toBe(1);
      expect(a.stderr.replace("tcompose: ", "")).toBe(
        b.stderr
          .split("\n")
          .filter((l) => !l.startsWith(" "))
          .join("\n"),
      );
    }
  });
});
