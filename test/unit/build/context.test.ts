// The build context never carries a file from outside it: links are archived as links, and the files
// tcompose reads itself (the Dockerfile, .dockerignore, <Dockerfile>.dockerignore) are resolved inside the
// context, as the engine's builders resolve them (docker compose 2.26.1 ignores a .dockerignore that links
// out, and cannot find such a Dockerfile). Each case reads back the tar: its entries and its bytes.
import { execFileSync } from "node:child_process";
import { mkdir, mkdtemp, rm, symlink, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type ContextSource, contextTar, resolveInContext } from "../../../src/project/build/context.js";
import { tarChunks } from "../../../src/project/build/tar.js";

const secret = "OUTSIDE-SECRET-7f3a";
let dir: string;
let outside: string;
let count = 0;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "tct-ctx-"));
  outside = join(dir, "outside");
  await mkdir(outside);
  // Ignore rules that would drop keep.txt, and a Dockerfile: each holds the secret.
  await writeFile(join(outside, "ignore"), `keep.txt\n# ${secret}\n`);
  await writeFile(join(outside, "Dockerfile"), `FROM busybox:1.36\n# ${secret}\n`);
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** A fresh context with a Dockerfile, keep.txt and the given links (path → target). */
async function context(links: Record<string, string>, files: Record<string, string> = {}): Promise<string> {
  const ctx = join(dir, `ctx${++count}`);
  await mkdir(ctx);
  await writeFile(join(ctx, "keep.txt"), "kept\n");
  const all = { Dockerfile: "FROM busybox:1.36\nCOPY . /ctx/\n", ...files };
  for (const [name, text] of Object.entries(all)) {
    await mkdir(join(ctx, name, ".."), { recursive: true });
    if (!(name in links)) await writeFile(join(ctx, name), text);
  }
  for (const [name, target] of Object.entries(links)) {
    await mkdir(join(ctx, name, ".."), { recursive: true });
    await symlink(target, join(ctx, name));
  }
  return ctx;
}

async function tarOf(source: ContextSource): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of await contextTar(source)) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/** `tar -tvf` lines, cut to `type name[ -> target]`. */
function entries(archive: Buffer): string[] {
  const file = join(dir, `t${++count}.tar`);
  execFileSync("sh", ["-c", `cat > ${file}`], { input: archive });
  return execFileSync("tar", ["-tvf", file], { encoding: "utf8" })
    .trim()
    .split("\n")
    .map((line) => `${line[0]} ${line.replace(/^(\S+\s+){5}/, "")}`);
}

/** One file's content in the archive. */
function content(archive: Buffer, name: string): string {
  const file = join(dir, `t${++count}.tar`);
  execFileSync("sh", ["-c", `cat > ${file}`], { input: archive });
  return execFileSync("tar", ["-xOf", file, name], { encoding: "utf8" });
}

describe("build context and links out of it", () => {
  it("a .dockerignore linking out is archived as a link, and its target's rules are not applied", async () => {
    for (const target of [join(outside, "ignore"), "../outside/ignore"]) {
      const ctx = await context({ ".dockerignore": target });
      const archive = await tarOf({ contextDir: ctx, dockerfile: "Dockerfile" });
      expect(entries(archive)).toEqual([`l .dockerignore -> ${target}`, "- Dockerfile", "- keep.txt"]);
      expect(archive.includes(secret)).toBe(false);
    }
  });

  it("a <Dockerfile>.dockerignore linking out is not read: no .dockerignore made of it", async () => {
    const ctx = await context({ "Dockerfile.dockerignore": "../outside/ignore" });
    const archive = await tarOf({ contextDir: ctx, dockerfile: "Dockerfile" });
    expect(entries(archive)).toEqual([
      "- Dockerfile",
      "l Dockerfile.dockerignore -> ../outside/ignore",
      "- keep.txt",
    ]);
    expect(archive.includes(secret)).toBe(false);
  });

  it("links that stay inside are followed there, an absolute target from the context's root", async () => {
    for (const target of ["conf/ign", "/conf/ign", "../../conf/ign"]) {
      const ctx = await context({ ".dockerignore": target }, { "conf/ign": "keep.txt\n" });
      const names = entries(await tarOf({ contextDir: ctx, dockerfile: "Dockerfile" }));
      expect(names).toContain(`l .dockerignore -> ${target}`);
      expect(names).not.toContain("- keep.txt");
    }
    // <Dockerfile>.dockerignore too; the tar's .dockerignore carries its rules and lists itself.
    const ctx = await context({ "Dockerfile.dockerignore": "/conf/ign" }, { "conf/ign": "keep.txt\n" });
    const archive = await tarOf({ contextDir: ctx, dockerfile: "Dockerfile" });
    expect(entries(archive)).toEqual([
      "- Dockerfile",
      "l Dockerfile.dockerignore -> /conf/ign",
      "d conf/",
      "- conf/ign",
      "- .dockerignore",
    ]);
    expect(content(archive, ".dockerignore")).toBe("keep.txt\n\n.dockerignore\n");
  });

  it("a Dockerfile linking out is refused with a clear message; one linking inside is sent as a link", async () => {
    const out = await context({ Dockerfile: join(outside, "Dockerfile") });
    await expect(tarOf({ contextDir: out, dockerfile: "Dockerfile" })).rejects.toThrow(
      `cannot find the Dockerfile "Dockerfile" in the build context ${out} (its symbolic links are followed inside the context only)`,
    );
    const missing = await context({}, {});
    await rm(join(missing, "Dockerfile"));
    await expect(tarOf({ contextDir: missing, dockerfile: "Dockerfile" })).rejects.toThrow(
      `cannot find the Dockerfile "Dockerfile" in the build context ${missing}`,
    );
    const inside = await context({ Dockerfile: "../../build/df" }, { "build/df": "FROM busybox:1.36\n" });
    const archive = await tarOf({ contextDir: inside, dockerfile: "Dockerfile" });
    expect(entries(archive)).toEqual([
      "l Dockerfile -> ../../build/df",
      "d build/",
      "- build/df",
      "- keep.txt",
    ]);
  });

  it("a linked directory is archived as a link: nothing below it is read", async () => {
    const ctx = await context({ data: outside, "sub/up": "../.." });
    const archive = await tarOf({ contextDir: ctx, dockerfile: "Dockerfile" });
    expect(entries(archive)).toEqual([
      "- Dockerfile",
      `l data -> ${outside}`,
      "- keep.txt",
      "d sub/",
      "l sub/up -> ../..",
    ]);
    expect(archive.includes(secret)).toBe(false);
  });

  it("a Dockerfile outside the context: its own ignore file's text is dropped by the engine, never copied", async () => {
    const df = join(dir, "dfdir");
    await mkdir(df, { recursive: true });
    await writeFile(join(df, "Dockerfile"), "FROM busybox:1.36\n");
    await writeFile(join(df, "Dockerfile.dockerignore"), "keep.txt\n");
    const ctx = await context({});
    const archive = await tarOf({
      contextDir: ctx,
      dockerfile: ".dockerfile.abc",
      addedDockerfile: { file: join(df, "Dockerfile") },
    });
    expect(entries(archive)).toEqual(["- Dockerfile", "- .dockerfile.abc", "- .dockerignore"]);
    expect(content(archive, ".dockerignore")).toBe("keep.txt\n\n.dockerignore\n.dockerfile.abc\n");
    // Its links are resolved inside its own directory.
    const linked = join(dir, "dfdir2");
    await mkdir(linked, { recursive: true });
    await writeFile(join(linked, "Dockerfile"), "FROM busybox:1.36\n");
    await symlink(join(outside, "ignore"), join(linked, "Dockerfile.dockerignore"));
    const second = await tarOf({
      contextDir: ctx,
      dockerfile: ".dockerfile.abc",
      addedDockerfile: { file: join(linked, "Dockerfile") },
    });
    expect(entries(second)).toEqual(["- Dockerfile", "- keep.txt", "- .dockerfile.abc", "- .dockerignore"]);
    expect(second.includes(secret)).toBe(false);
  });
});

describe("tar of files on disk", () => {
  it("does not follow a file that became a link after the walk saw it", async () => {
    const link = join(dir, "swapped");
    await symlink(join(outside, "Dockerfile"), link);
    const read = async () => {
      for await (const _ of tarChunks([
        { type: "file", path: "f", mode: 0o644, mtime: 0, size: 10, source: { kind: "disk", path: link } },
      ]));
    };
    await expect(read()).rejects.toMatchObject({ code: "ELOOP" });
  });
});

describe("resolveInContext", () => {
  it("resolves links with the context as the root, a missing component kept as written", async () => {
    const ctx = await context(
      { a: "/b", "b/c": "../../../d", "d/e": "f", loop: "loop" },
      { "b/x": "", "d/f": "" },
    );
    expect(await resolveInContext(ctx, "Dockerfile")).toEqual({
      path: join(ctx, "Dockerfile"),
      viaLink: false,
    });
    expect(await resolveInContext(ctx, "a/c/e")).toEqual({ path: join(ctx, "d/f"), viaLink: true });
    expect(await resolveInContext(ctx, "../../etc/passwd")).toEqual({
      path: join(ctx, "etc/passwd"),
      viaLink: false,
    });
    expect(await resolveInContext(ctx, "nope/../a/x")).toEqual({ path: join(ctx, "b/x"), viaLink: true });
    await expect(resolveInContext(ctx, "loop")).rejects.toThrow("too many levels of symbolic links");
  });
});
