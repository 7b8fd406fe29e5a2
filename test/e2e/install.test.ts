import { spawnSync } from "node:child_process";
import {
  existsSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  realpathSync,
  rmSync,
  statSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cliPath, repoRoot } from "../helpers/paths.js";

// The install path the README gives: `npm pack`, then `npm i -g` of the tarball, into a clean prefix,
// offline, with an empty npm cache (so nothing can come from the registry), then the installed
// `tcompose` is run as a user would run it.

const pkg = JSON.parse(readFileSync(path.join(repoRoot, "package.json"), "utf8")) as {
  name: string;
  version: string;
  bin: Record<string, string>;
  files: string[];
  scripts: Record<string, string>;
  dependencies?: Record<string, string>;
};

/** The files the tarball must hold: the launcher, the bundles it loads, the library entry, notices. */
const packed = [
  "LICENSE",
  "README.md",
  "dist/cli.cjs",
  "dist/dockerode.cjs",
  "dist/dockerode.cjs.LEGAL.txt",
  "dist/lib.js",
  "dist/tcompose.cjs",
  "package.json",
];

function newestMtime(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (entry.isFile()) newest = Math.max(newest, statSync(path.join(entry.parentPath, entry.name)).mtimeMs);
  }
  return newest;
}

/** dist/ is at least as new as everything it is built from (the e2e global setup has just built it). */
function distIsFresh(): boolean {
  const dist = packed.filter((f) => f.startsWith("dist/")).map((f) => path.join(repoRoot, f));
  if (!dist.every((f) => existsSync(f))) return false;
  const built = Math.min(...dist.map((f) => statSync(f).mtimeMs));
  const sources = Math.max(
    newestMtime(path.join(repoRoot, "src")),
    statSync(path.join(repoRoot, "package.json")).mtimeMs,
    statSync(path.join(repoRoot, "scripts/build.mjs")).mtimeMs,
  );
  return built >= sources;
}

let dir: string;
let env: Record<string, string>;
let tarball: string;
let packedFiles: string[];
let installed: string;
let packageDir: string;

/** npm with an environment of its own: an empty cache and user config, no npm_* from a parent `npm run`. */
function npm(args: string[], cwd = repoRoot) {
  const r = spawnSync("npm", args, { cwd, env, encoding: "utf8", timeout: 170_000 });
  if (r.status !== 0) throw new Error(`npm ${args.join(" ")} failed (${r.status}):\n${r.stderr}`);
  return r.stdout;
}

function run(bin: string[], args: string[]) {
  const r = spawnSync(bin[0] as string, [...bin.slice(1), ...args], { cwd: dir, env, encoding: "utf8" });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), "tct-install-"));
  const userconfig = path.join(dir, "npmrc");
  writeFileSync(userconfig, "");
  env = Object.fromEntries(
    Object.entries(process.env).filter(
      (e): e is [string, string] => e[1] !== undefined && !e[0].toLowerCase().startsWith("npm_"),
    ),
  );
  Object.assign(env, {
    npm_config_cache: path.join(dir, "npm-cache"),
    npm_config_userconfig: userconfig,
    npm_config_update_notifier: "false",
    npm_config_fund: "false",
    npm_config_audit: "false",
    TCOMPOSE_CACHE_DIR: path.join(dir, "code-cache"),
  });
  // The global setup has built dist/: pack it as it is rather than building a second time through
  // `prepack` (the unit-like check below proves `prepack` builds). A dist/ older than its sources
  // (a source edited since) is packed the way a user packs, with `prepack`.
  const scripts = distIsFresh() ? ["--ignore-scripts"] : [];
  const out = npm(["pack", "--json", "--pack-destination", dir, ...scripts]);
  const [info] = JSON.parse(out.slice(out.indexOf("["))) as { filename: string; files: { path: string }[] }[];
  if (!info) throw new Error(`npm pack printed no tarball: ${out}`);
  tarball = path.join(dir, info.filename);
  packedFiles = info.files.map((f) => f.path).sort();

  const prefix = path.join(dir, "prefix");
  mkdirSync(prefix);
  npm(["install", "--global", "--prefix", prefix, "--offline", tarball], dir);
  installed = path.join(prefix, "bin", "tcompose");
  packageDir = path.join(prefix, "lib", "node_modules", pkg.name);

  writeFileSync(
    path.join(dir, "compose.yaml"),
    [
      "services:",
      "  web:",
      "    image: busybox:1.36",
      "    command: [sleep, infinity]",
      "    ports: ['8080:80']",
      "    environment: {GREETING: hello}",
      "    depends_on: [db]",
      "  db:",
      "    image: redis:7-bookworm",
      "    volumes: [data:/data]",
      "volumes:",
      "  data: {}",
      "",
    ].join("\n"),
  );
}, 180_000);

afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe("package.json", () => {
  it("builds before packing (prepack), so no stale dist/ is packed", () => {
    expect(pkg.scripts.prepack).toMatch(/^(node scripts\/build\.mjs|npm run build)$/);
    expect(pkg.scripts.build).toBe("node scripts/build.mjs");
  });

  it("needs no runtime dependency: the bundles carry them", () => {
    expect(pkg.dependencies ?? {}).toEqual({});
  });
});

describe("npm pack, npm install -g of the tarball into a clean prefix", () => {
  it("packs the launcher, its bundles and the library entry, and no source maps", () => {
    expect(packedFiles).toEqual(packed);
    expect(pkg.bin.tcompose).toBe("dist/tcompose.cjs");
  });

  it("installs offline with nothing beside the package", () => {
    expect(lstatSync(installed).isSymbolicLink()).toBe(true);
    expect(realpathSync(installed)).toBe(realpathSync(path.join(packageDir, "dist", "tcompose.cjs")));
    expect(existsSync(path.join(packageDir, "node_modules"))).toBe(false);
    expect(readdirSync(path.join(packageDir, "dist")).sort()).toEqual(
      packed.filter((f) => f.startsWith("dist/")).map((f) => f.slice("dist/".length)),
    );
  });

  it("runs `tcompose version` like the built CLI", () => {
    const r = run([installed], ["version"]);
    expect(r.stderr).toBe("");
    expect(r.status).toBe(0);
    expect(r.stdout).toContain(`+tcompose.${pkg.version}`);
    expect(r.stdout).toBe(run([process.execPath, cliPath], ["version"]).stdout);
  });

  it("renders `config --format json` as the built CLI does", () => {
    const args = ["-f", "compose.yaml", "-p", "tct-install", "config", "--format", "json"];
    const r = run([installed], args);
    expect(r.stderr).toBe("");
    expect(r.status).toBe(0);
    const model = JSON.parse(r.stdout) as { name: string; services: Record<string, unknown> };
    expect(model.name).toBe("tct-install");
    expect(Object.keys(model.services).sort()).toEqual(["db", "web"]);
    expect(r.stdout).toBe(run([process.execPath, cliPath], args).stdout);
  });

  it("answers the docker CLI plugin protocol", () => {
    const r = run([installed], ["docker-cli-plugin-metadata"]);
    expect(r.status).toBe(0);
    const meta = JSON.parse(r.stdout) as Record<string, string>;
    expect(meta.SchemaVersion).toBe("0.1.0");
    expect(meta.Vendor).toBe("tcompose");
    expect(meta.Version).toContain(`+tcompose.${pkg.version}`);
  });
});
