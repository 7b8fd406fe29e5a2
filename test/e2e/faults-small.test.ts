// Three small faults, through the CLI as a process:
// - an engine that accepts the connection but never answers: the first request (GET /_ping) fails after
//   COMPOSE_HTTP_TIMEOUT seconds with one line naming the endpoint (the reference, 2.26.1, waits forever
//   and ignores the variable), while later, slower answers are not limited;
// - the launcher's V8 code cache: a file or directory that is not the user's own, or that group or others
//   may write, is not used (V8 checks only a cache's length, so such a file would run someone's code);
// - a build context with links out of it: nothing from outside reaches the image, as with the reference.
import { spawnSync } from "node:child_process";
import {
  chmodSync,
  chownSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  renameSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import http from "node:http";
import net from "node:net";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { connectEngine } from "../../src/project/engine/index.js";
import { runAsync } from "../helpers/engine-proxy.js";
import { cliPath, referenceBinary, referenceSkipNote, repoRoot } from "../helpers/paths.js";
import { uniqueProjectName } from "../helpers/project.js";

const scratch = mkdtempSync(path.join(tmpdir(), "tct-faults-"));
afterAll(() => {
  rmSync(scratch, { recursive: true, force: true });
});

function run(args: string[], env: Record<string, string> = {}, cwd = scratch) {
  const r = spawnSync(process.execPath, [cliPath, ...args], {
    cwd,
    encoding: "utf8",
    env: { ...process.env, NO_COLOR: "1", ...env },
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** A server on a unix socket of its own; closed (its connections too) by the returned function. */
async function listen(server: net.Server, name: string): Promise<{ socket: string; close: () => void }> {
  const socket = path.join(scratch, name);
  const sockets = new Set<net.Socket>();
  server.on("connection", (s: net.Socket) => sockets.add(s));
  await new Promise<void>((resolve) => server.listen(socket, resolve));
  return {
    socket,
    close: () => {
      for (const s of sockets) s.destroy();
      server.close();
    },
  };
}

describe("an engine that never answers", () => {
  it("fails the first request after COMPOSE_HTTP_TIMEOUT, naming the endpoint", async () => {
    // Accepts, reads, never answers.
    const silent = await listen(
      net.createServer((s) => s.resume()),
      "silent.sock",
    );
    try {
      const exit = await runAsync(process.execPath, [cliPath, "ps", "-p", "x"], {
        cwd: scratch,
        env: { ...process.env, DOCKER_HOST: `unix://${silent.socket}`, COMPOSE_HTTP_TIMEOUT: "1" },
      });
      expect(exit.code).toBe(1);
      expect(exit.stdout).toBe("");
      expect(exit.stderr).toBe(
        `tcompose: cannot reach a Docker Engine at unix://${silent.socket} (no answer to /_ping within 1 s; ` +
          "COMPOSE_HTTP_TIMEOUT sets the limit); start Docker, or point DOCKER_HOST at a running engine\n",
      );
    } finally {
      silent.close();
    }
  }, 60_000);

  it("does not limit the requests after the first: a slower answer is waited for", async () => {
    // Pings at once, lists containers (none) three times the limit later.
    const slow = await listen(
      http.createServer((request, response) => {
        if (request.url === "/_ping") {
          response.setHeader("API-Version", "1.41");
          response.end("OK");
          return;
        }
        setTimeout(() => {
          response.setHeader("Content-Type", "application/json");
          response.end(request.url?.startsWith("/v1.41/containers/json") ? "[]" : "{}");
        }, 600);
      }),
      "slow.sock",
    );
    try {
      const exit = await runAsync(process.execPath, [cliPath, "ps", "-p", "x"], {
        cwd: scratch,
        env: { ...process.env, DOCKER_HOST: `unix://${slow.socket}`, COMPOSE_HTTP_TIMEOUT: "0.2" },
      });
      expect(exit.stderr).toBe("");
      expect(exit.code).toBe(0);
      expect(exit.stdout).toMatch(/^NAME\s+IMAGE/);
    } finally {
      slow.close();
    }
  }, 60_000);

  it("refuses a COMPOSE_HTTP_TIMEOUT that is not a number of seconds", () => {
    expect(run(["ps", "-p", "x"], { COMPOSE_HTTP_TIMEOUT: "soon" })).toEqual({
      code: 1,
      stdout: "",
      stderr: "tcompose: COMPOSE_HTTP_TIMEOUT=soon is not a number of seconds greater than 0\n",
    });
  });
});

// A code cache of a script as long as the bundle that writes $POISON_MARK: V8 takes it for the bundle's.
const poisonMaker = `
const fs = require("fs"), vm = require("vm");
const [bundle, out] = process.argv.slice(1);
const length = \`(function (exports, require, module, __filename, __dirname) {\${fs.readFileSync(bundle, "utf8")}\\n})\`.length;
const head = '(function (exports, require, module, __filename, __dirname) {require("fs").writeFileSync(process.env.POISON_MARK, "ran");/*';
const tail = "*/\\n})";
const script = new vm.Script(head + " ".repeat(length - head.length - tail.length) + tail, { filename: bundle });
// Called once (with a require that writes nothing), so that its code is compiled when the cache is made: a
// function not compiled then is left out of the cache, and the launcher would compile the real bundle's text in
// its place (a full run under load once ran the real bundle here).
script.runInThisContext()({}, () => ({ writeFileSync() {} }), {}, bundle, "");
fs.writeFileSync(out, script.createCachedData());
`;

describe("the launcher's code cache is used only when it is the user's own", () => {
  const bundle = path.join(repoRoot, "dist", "cli.cjs");
  const mark = path.join(scratch, "poison-ran");
  /** A cache directory holding the `version` command's cache, then that file replaced by the poison. */
  const poisoned = (name: string) => {
    const dir = path.join(scratch, name);
    expect(run(["-p", "x", "version", "--short"], { TCOMPOSE_CACHE_DIR: dir }).code).toBe(0);
    const file = path.join(dir, readdirSync(dir).find((f) => f.endsWith("-version.bin")) as string);
    const made = spawnSync(process.execPath, ["-e", poisonMaker, bundle, file], { encoding: "utf8" });
    expect(made.stderr).toBe("");
    return { dir, file };
  };
  const version = (dir: string) =>
    run(["-p", "x", "version", "--short"], { TCOMPOSE_CACHE_DIR: dir, POISON_MARK: mark });

  it("a private cache file is loaded: the poison runs (so the cases below show something)", () => {
    const { dir } = poisoned("own");
    rmSync(mark, { force: true });
    expect(version(dir).stdout).toBe("");
    expect(existsSync(mark)).toBe(true);
  });

  it("a cache file that others may write, or someone else's, is not read, and is replaced", () => {
    const expected = run(["-p", "x", "version", "--short"]);
    expect(expected.code).toBe(0);
    for (const spoil of [
      (file: string) => chmodSync(file, 0o666),
      (file: string) => chmodSync(file, 0o620),
      (file: string) => chownSync(file, 65534, 65534),
    ]) {
      const { dir, file } = poisoned(`file-${Math.random().toString(16).slice(2)}`);
      spoil(file);
      rmSync(mark, { force: true });
      expect(version(dir)).toEqual(expected);
      expect(existsSync(mark)).toBe(false);
      // A fresh cache of the user's own took its place.
      const now = statSync(file);
      expect([now.uid, now.mode & 0o777]).toEqual([process.getuid?.(), 0o600]);
      expect(now.size).toBeGreaterThan(10_000);
    }
  });

  it("a directory that others may write, or someone else's, or a link, is neither read nor written", () => {
    const expected = run(["-p", "x", "version", "--short"]);
    for (const spoil of [
      (dir: string) => chmodSync(dir, 0o777),
      (dir: string) => chownSync(dir, 65534, 65534),
      (dir: string) => {
        const real = `${dir}-real`;
        rmSync(real, { recursive: true, force: true });
        renameSync(dir, real);
        symlinkSync(real, dir);
      },
    ]) {
      const { dir, file } = poisoned(`dir-${Math.random().toString(16).slice(2)}`);
      const before = statSync(file);
      spoil(dir);
      rmSync(mark, { force: true });
      expect(version(dir)).toEqual(expected);
      expect(existsSync(mark)).toBe(false);
      // Nothing written there: the poison is as it was, alone.
      expect(readdirSync(dir)).toEqual([path.basename(file)]);
      expect(statSync(file).mtimeMs).toBe(before.mtimeMs);
    }
  });
});

describe("a build context with links out of it", () => {
  const secret = `OUTSIDE-${Math.random().toString(16).slice(2)}`;
  const built: string[] = [];
  afterAll(async () => {
    if (built.length === 0) return;
    const engine = await connectEngine();
    for (const image of built) await engine.removeImage(image, { force: true });
  });

  /** Dockerfile, keep.txt; .dockerignore and Dockerfile.dockerignore link to rules outside (drop keep.txt). */
  const context = (name: string) => {
    const root = path.join(scratch, name);
    const outside = path.join(root, "outside");
    const ctx = path.join(root, "ctx");
    mkdirSync(outside, { recursive: true });
    mkdirSync(path.join(ctx, "data"), { recursive: true });
    writeFileSync(path.join(outside, "rules"), `keep.txt\n# ${secret}\n`);
    writeFileSync(path.join(outside, "file"), `${secret}\n`);
    writeFileSync(path.join(ctx, "compose.yaml"), "services:\n  s:\n    build: .\n");
    writeFileSync(path.join(ctx, "Dockerfile"), "FROM busybox:1.36\nCOPY . /ctx/\n");
    writeFileSync(path.join(ctx, "keep.txt"), "kept\n");
    symlinkSync(path.join(outside, "rules"), path.join(ctx, ".dockerignore"));
    symlinkSync("../outside/rules", path.join(ctx, "Dockerfile.dockerignore"));
    symlinkSync("../../outside/file", path.join(ctx, "data", "file"));
    symlinkSync(outside, path.join(ctx, "out"));
    return ctx;
  };
  /** What the image's /ctx holds: names, link targets, and any file whose text holds the secret. */
  const seen = (image: string) =>
    spawnSync(
      "docker",
      [
        "run",
        "--rm",
        image,
        "sh",
        "-c",
        `cd /ctx && find . | sort | while read f; do if [ -L "$f" ]; then echo "$f -> $(readlink "$f")"; else echo "$f"; fi; done; grep -rl ${secret} . || true`,
      ],
      { encoding: "utf8" },
    ).stdout;

  it(`sends the links as links and reads no rules through them; the image holds what the reference's does${referenceSkipNote}`, () => {
    const name = uniqueProjectName("faults");
    const ctx = context("tc");
    built.push(`${name}-s`);
    const r = run(["-p", name, "--progress", "plain", "build"], {}, ctx);
    expect(r.code, r.stderr).toBe(0);
    const ours = seen(`${name}-s`);
    expect(ours).toBe(
      [
        ".",
        `./.dockerignore -> ${path.join(scratch, "tc", "outside", "rules")}`,
        "./Dockerfile",
        "./Dockerfile.dockerignore -> ../outside/rules",
        "./compose.yaml",
        "./data",
        "./data/file -> ../../outside/file",
        "./keep.txt",
        `./out -> ${path.join(scratch, "tc", "outside")}`,
        "",
      ].join("\n"),
    );
    if (!referenceBinary) return;
    const refName = uniqueProjectName("faults");
    const refCtx = context("ref");
    built.push(`${refName}-s`);
    const ref = spawnSync(referenceBinary, ["-p", refName, "--progress", "plain", "build"], {
      cwd: refCtx,
      encoding: "utf8",
    });
    expect(ref.status, ref.stderr).toBe(0);
    expect(ours.replaceAll(path.join(scratch, "tc"), "ROOT")).toBe(
      seen(`${refName}-s`).replaceAll(path.join(scratch, "ref"), "ROOT"),
    );
  }, 120_000);

  it("refuses a Dockerfile that links out of the context before sending anything", () => {
    const ctx = context("df");
    rmSync(path.join(ctx, "Dockerfile"));
    writeFileSync(path.join(ctx, "..", "outside", "Dockerfile"), `FROM busybox:1.36\nRUN echo ${secret}\n`);
    symlinkSync("../outside/Dockerfile", path.join(ctx, "Dockerfile"));
    const r = run(["-p", uniqueProjectName("faults"), "--progress", "plain", "build"], {}, ctx);
    expect(r.code).toBe(17);
    expect(r.stderr).toContain(
      `failed to build service "s": cannot find the Dockerfile "Dockerfile" in the build context ${ctx} ` +
        "(its symbolic links are followed inside the context only)\n",
    );
    expect(r.stderr).not.toContain(secret);
  });
});
