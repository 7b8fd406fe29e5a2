import { spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { composeCommands } from "../../src/cli/commands/catalog.js";
import { cliPath, repoRoot } from "../helpers/paths.js";

function tcompose(...args: string[]) {
  const r = spawnSync(process.execPath, [cliPath, ...args], { encoding: "utf8" });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe("tcompose as a process", () => {
  it("prints its version with --version and exits 0", () => {
    const { version } = JSON.parse(tcompose("version", "--format", "json").stdout) as { version: string };
    // The Compose release followed, then tcompose's own version as build metadata (package.json's).
    const { version: own } = JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8"));
    expect(version).toBe(`2.26.1+tcompose.${own}`);
    expect(tcompose("--version")).toEqual({ code: 0, stdout: `tcompose version ${version}\n`, stderr: "" });
    expect(tcompose("version", "--short")).toEqual({ code: 0, stdout: `${version}\n`, stderr: "" });
  });

  it("lists every docker compose command in --help", () => {
    const { code, stdout } = tcompose("--help");
    expect(code).toBe(0);
    for (const { name } of composeCommands) expect(stdout).toMatch(new RegExp(`^  ${name}\\b`, "m"));
  });

  it("lists no command as not implemented", () => {
    const { code, stdout } = tcompose("--help");
    expect(code).toBe(0);
    expect(stdout).not.toContain("not implemented");
  });

  it("rejects an unknown flag, a flag without its value and a bad number as the reference does (exit 16)", () => {
    const unknown = tcompose("--no-such-flag");
    expect([unknown.code, unknown.stderr]).toEqual([16, "tcompose: unknown flag: --no-such-flag\n"]);
    const short = tcompose("ps", "-z");
    expect([short.code, short.stderr]).toEqual([16, "tcompose: unknown shorthand flag: 'z' in -z\n"]);
    const missing = tcompose("logs", "-n");
    expect([missing.code, missing.stderr]).toEqual([16, "tcompose: flag needs an argument: 'n' in -n\n"]);
    const number = tcompose("stop", "-t", "soon");
    expect([number.code, number.stderr]).toEqual([
      16,
      'tcompose: invalid argument "soon" for "-t, --timeout" flag: strconv.ParseInt: parsing "soon": invalid syntax\n',
    ]);
    // Too few or too many arguments: the reference's words, exit 1; `scale` without any makes nothing.
    const dir = mkdtempSync(path.join(tmpdir(), "tct-args-"));
    writeFileSync(path.join(dir, "compose.yaml"), "services:\n  web:\n    image: busybox:1.36\n");
    const inDir = (...args: string[]) => {
      const r = spawnSync(process.execPath, [cliPath, "-p", "tctargs", ...args], {
        cwd: dir,
        encoding: "utf8",
      });
      return [r.status, r.stdout, r.stderr];
    };
    expect(inDir("scale")).toEqual([1, "", "tcompose: requires at least 1 arg(s), only received 0\n"]);
    expect(inDir("exec", "web")).toEqual([1, "", "tcompose: requires at least 2 arg(s), only received 1\n"]);
    expect(inDir("ls", "x")).toEqual([1, "", 'tcompose: unknown command "x" for "tcompose ls"\n']);
    expect(inDir("cp", "a")).toEqual([
      1,
      "",
      "tcompose: \"tcompose cp\" requires exactly 2 arguments.\nSee 'tcompose cp --help'.\n",
    ]);
    expect(
      spawnSync("docker", ["ps", "-aq", "--filter", "label=com.docker.compose.project=tctargs"], {
        encoding: "utf8",
      }).stdout,
    ).toBe("");
    // The stack commands are docker's: its words, then where to look, exit 125.
    const stack = tcompose("stack", "ps", "--bogus", "x");
    expect([stack.code, stack.stderr]).toEqual([
      125,
      "tcompose: unknown flag: --bogus\nSee 'tcompose stack ps --help'.\n",
    ]);
  });

  it("is a library too: the package's entry loads a project", async () => {
    const lib = (await import(`${repoRoot}dist/lib.js`)) as typeof import("../../src/lib.js");
    const { project, problems } = lib.loadProject({
      workingDir: `${repoRoot}test/fixtures/profiles`,
      env: {},
    });
    expect(problems).toEqual([]);
    expect(Object.keys(project?.model.services ?? {}).sort()).toEqual(["always"]);
  });
});

describe("the launcher's code cache", () => {
  const run = (env: Record<string, string>, ...args: string[]) => {
    const r = spawnSync(process.execPath, [cliPath, ...args], {
      encoding: "utf8",
      env: { ...process.env, ...env },
    });
    return { code: r.status, stdout: r.stdout, stderr: r.stderr };
  };

  it("is not needed for the version: the launcher answers those forms itself, with the CLI's own text", () => {
    const dir = path.join(mkdtempSync(path.join(tmpdir(), "tct-cache-")), "cache");
    const env = { TCOMPOSE_CACHE_DIR: dir };
    const forms: [string[], string[]][] = [
      [["--version"], ["--ansi=auto", "--version"]],
      [["-v"], ["--ansi=auto", "-v"]],
      [["version"], ["-p", "x", "version"]],
      [
        ["version", "--short"],
        ["-p", "x", "version", "--short"],
      ],
    ];
    for (const [quick, full] of forms) {
      const answer = run(env, ...quick);
      expect(answer.code).toBe(0);
      expect(answer.stdout).toMatch(/2\.26\.1\+tcompose\./);
      expect(answer).toEqual(run(env, ...full));
    }
    // Only the CLI's runs (the second form of each) wrote a cache: the launcher read no bundle for the others.
    expect(
      readdirSync(dir)
        .map((f) => f.replace(/^.*-/, ""))
        .sort(),
    ).toEqual(["none.bin", "version.bin"]);
  });

  it("keeps one cache per command in a private directory, replaces a corrupt one and works without", () => {
    const dir = path.join(mkdtempSync(path.join(tmpdir(), "tct-cache-")), "cache");
    const env = { TCOMPOSE_CACHE_DIR: dir };
    const first = run(env, "-p", "x", "version", "--short");
    expect(first.stderr).toBe("");
    expect(run(env, "--ansi", "never", "--help").code).toBe(0);
    const files = readdirSync(dir).sort();
    expect(files).toHaveLength(2);
    expect(files[0]).toMatch(new RegExp(`^code-${process.version}-${process.arch}-\\d+-\\d+-none\\.bin$`));
    expect(files[1]).toMatch(/-version\.bin$/);
    expect(statSync(dir).mode & 0o777).toBe(0o700);
    expect(statSync(path.join(dir, files[1] as string)).mode & 0o777).toBe(0o600);

    // V8 refuses a cache that is not its own: the run is the same and the file is written anew.
    const version = path.join(dir, files[1] as string);
    writeFileSync(version, "not a code cache");
    expect(run(env, "-p", "x", "version", "--short")).toEqual(first);
    expect(readFileSync(version).length).toBeGreaterThan(100);

    // Nowhere to write: no cache, same run.
    const blocked = path.join(dir, files[1] as string, "sub");
    expect(run({ TCOMPOSE_CACHE_DIR: blocked }, "-p", "x", "version", "--short")).toEqual(first);
  });
});
