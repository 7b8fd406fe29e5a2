import { spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import PQueue from "p-queue";
import { describe, type ExpectStatic, expect, it } from "vitest";
import { parse as parseYaml } from "yaml";
import { goKeyCompare, goKeyLess } from "../../src/cli/render/yaml-emit.js";
import { type Exit, runAsync } from "../helpers/engine-proxy.js";
import { cliPath, referenceBinary, referenceSkipNote, repoRoot } from "../helpers/paths.js";

const fixtures = path.join(repoRoot, "test/fixtures");
// Both tools see the same, minimal environment, so nothing of the test runner's leaks into interpolation.
const env = { PATH: process.env.PATH ?? "", HOME: "/root" };

type Run = Pick<Exit, "code" | "stdout" | "stderr">;

// The tests of a describe run concurrently and each runs both tools side by side, a few processes at
// once in all: most of a run is the process starting, on 2 cores.
const processes = new PQueue({ concurrency: 4 });

/** Runs a command with `input` (or nothing) on its stdin; the environment is `env` unless given. */
function runIn(
  dir: string,
  command: string,
  args: string[],
  input?: string,
  runEnv: NodeJS.ProcessEnv = env,
): Promise<Run> {
  return processes.add(() => runAsync(command, args, { cwd: dir, env: runEnv, input: input ?? "" }));
}
const tcompose = (dir: string, args: string[], input?: string) =>
  runIn(dir, process.execPath, [cliPath, ...args], input);
const referenceRun = (dir: string, args: string[], input?: string) =>
  runIn(dir, referenceBinary ?? "", args, input);

/** Projects to compare: a directory and the -f files, in order. */
const cases: [string, string[]][] = [
  ...readdirSync(path.join(fixtures, "schema/valid")).map((f): [string, string[]] => ["schema/valid", [f]]),
  ...["ports-volumes", "resources", "services"].map((d): [string, string[]] => [
    `canonical/${d}`,
    ["compose.yaml"],
  ]),
  ["merge/fields", ["a.yml"]],
  ["merge/fields", ["a.yml", "b.yml", "c.yml"]],
  ["merge/extends", ["compose.yaml", "override.yml"]],
  ["merge/extends-dirs", ["a/compose.yaml", "b/override.yaml"]],
  ...["short", "long", "nested", "paths", "same", "conflict", "missing", "cycle", "interpolation-first"].map(
    (d): [string, string[]] => [`include/${d}`, ["compose.yaml"]],
  ),
  ["include/missing", ["env.yaml"]],
  ["include/override", ["compose.yaml", "o/override.yaml"]],
  ["model/short", ["compose.yaml"]],
  ["model/merge", ["compose.yaml"]],
  ["model/merge", ["compose.yaml", "o.yaml"]],
  ["model/include", ["compose.yaml"]],
  ["model/include", ["compose2.yaml"]],
  ["model/build-gpus", ["compose.yaml"]],
  ["model/build-gpus", ["external.yaml"]],
  ["model/empty-maps", ["compose.yaml"]],
  ["model/fuzz-found", ["compose.yaml"]],
  ["model/fuzz-found-2", ["compose.yaml", "compose.override.yaml"]],
  ["model/label-file", ["compose.yaml"]],
  ["model/numbers", ["compose.yaml"]],
  ["model/empty-values", ["compose.yaml"]],
  ["model/hooks", ["compose.yaml"]],
  ["model/yaml-text", ["compose.yaml"]],
  ["model/typed-text", ["compose.yaml"]],
  ["model/typed-text", ["blkio.yaml"]],
  ["model/devcontainers", ["compose.yaml", "docker-compose.devcontainer.yml"]],
];

/** The model flags, alone and together; --no-interpolate prints the reference's map-level model. */
const variants: [string[], ("json" | "yaml")[]][] = [
  [["--no-interpolate"], ["json", "yaml"]],
  [["--no-interpolate", "--no-normalize", "--no-path-resolution"], ["json"]],
  [["--no-normalize"], ["json", "yaml"]],
  [["--no-path-resolution"], ["json"]],
  [["--no-normalize", "--no-path-resolution"], ["json"]],
];

/**
 * Where the YAML text differs from the reference's and only the document is compared: numbers that a JS
 * number does not keep (integers beyond 2^53, and floats Go prints as 1e+06) in x- extensions and in the
 * --no-interpolate model.
 */
const inexactYaml = new Set(["model/numbers", "model/fuzz-found --no-interpolate"]);

/** The YAML text, or only the document where the text may differ (inexactYaml). */
function expectSameYaml(expect: ExpectStatic, ours: string, theirs: string, inexact: boolean) {
  const read = (text: string) => parseYaml(text, { version: "1.1" });
  if (inexact) expect(read(ours), "yaml").toEqual(read(theirs));
  else expect(ours, "yaml text").toBe(theirs);
}

/** Both tools on one project, for each flag set and format: [ours, theirs] each, all at once. */
function runBoth(dir: string, files: string[], flagSets: [string[], readonly ("json" | "yaml")[]][]) {
  const cwd = path.join(fixtures, dir);
  const command = ["-p", "fx", ...files.flatMap((f) => ["-f", f]), "config"];
  return Promise.all(
    flagSets.map(([flags, formats]) =>
      Promise.all(
        formats.map((format) => {
          const args = [...command, ...flags, "--format", format];
          return Promise.all([tcompose(cwd, args), referenceRun(cwd, args)]);
        }),
      ),
    ),
  );
}

/** Both tools on one project and flags: the same exit code and, when it is 0, the same document. */
function sameConfig(
  expect: ExpectStatic,
  dir: string,
  flags: string[],
  formats: readonly ("json" | "yaml")[],
  runs: [Run, Run][],
) {
  for (const [i, format] of formats.entries()) {
    const [ours, theirs] = runs[i] ?? [];
    if (!ours || !theirs) throw new Error(`no run for ${format}`);
    expect(ours.code, `${format}: ${ours.stderr}\nreference: ${theirs.stderr}`).toBe(theirs.code);
    if (theirs.code !== 0) continue;
    const inexact = inexactYaml.has(dir) || flags.some((f) => inexactYaml.has(`${dir} ${f}`));
    if (format === "yaml") expectSameYaml(expect, ours.stdout, theirs.stdout, inexact);
    else expect(JSON.parse(ours.stdout), format).toEqual(JSON.parse(theirs.stdout));
  }
}

describe.skipIf(!referenceBinary).concurrent(`config is the reference's config${referenceSkipNote}`, () => {
  it.for(cases)("%s %j: same exit code, same JSON, same YAML text", async ([dir, files], { expect }) => {
    const [runs = []] = await runBoth(dir, files, [[[], ["json", "yaml"]]]);
    sameConfig(expect, dir, [], ["json", "yaml"], runs);
  });

  it.for(cases)("%s %j with each of the model flags: the same again", async ([dir, files], { expect }) => {
    const runs = await runBoth(dir, files, variants);
    for (const [i, [flags, formats]] of variants.entries())
      sameConfig(expect, dir, flags, formats, runs[i] ?? []);
  });

  it.for(["schema/invalid", "semantic"])(
    "exits like the reference on every invalid fixture of %s, with located messages and no stack trace",
    async (dir, { expect }) => {
      const cwd = path.join(fixtures, dir);
      const files = readdirSync(cwd);
      const runs = await Promise.all(
        files.map((file) => {
          const args = ["-p", "fx", "-f", file, "config", "-q"];
          return Promise.all([tcompose(cwd, args), referenceRun(cwd, args)]);
        }),
      );
      for (const [i, file] of files.entries()) {
        const [ours, theirs] = runs[i] ?? [];
        if (!ours || !theirs) throw new Error(`no run for ${file}`);
        // The reference crashes (exit 2) on extends without a service; tcompose reports it as invalid.
        if (theirs.code !== 2) expect(ours.code, `${file}: ${ours.stderr}`).toBe(theirs.code);
        expect(ours.stderr, file).not.toMatch(/^\s+at /m);
        if (ours.code === 15)
          expect(ours.stderr, file).toMatch(new RegExp(`^${file.replace(".", "\\.")}:\\d+:\\d+: `));
      }
    },
  );

  it("lists the variables the files use like config --variables (rows in any order there)", async ({
    expect,
  }) => {
    const cwd = path.join(fixtures, "variables");
    const rows = (text: string) => {
      const [header, ...rest] = text.split("\n").filter((l) => l !== "");
      return [header, ...rest.sort()];
    };
    const missing = ["-p", "fx", "-f", "nope.yaml", "config", "--variables"];
    const [runs, missingRuns] = await Promise.all([
      Promise.all(
        [[], ["--format", "json"]].map((extra) => {
          const args = ["-p", "fx", "config", "--variables", ...extra];
          return Promise.all([tcompose(cwd, args), referenceRun(cwd, args)]);
        }),
      ),
      Promise.all([tcompose(cwd, missing), referenceRun(cwd, missing)]),
    ]);
    for (const [ours, theirs] of runs) {
      expect(ours.code, ours.stderr).toBe(theirs.code);
      expect(rows(ours.stdout)).toEqual(rows(theirs.stdout));
    }
    expect(missingRuns[0].code).toBe(missingRuns[1].code);
  });

  it("lists services after their dependencies, and volumes, profiles and images, without env files", async ({
    expect,
  }) => {
    const cwd = path.join(fixtures, "listing");
    const lines = (text: string) => text.split("\n").filter((l) => l !== "");
    // A missing env_file fails config (exit 14), not the listings.
    const files = ["-f", "compose.yaml", "-f", "missing-env.yaml"];
    const listingFlags = ["--services", "--volumes", "--profiles", "--images"];
    const listings = [[], ["--profile", "tools"]].flatMap((profiles) =>
      listingFlags.map((flag) => ({
        profiles,
        flag,
        args: ["-p", "fx", ...profiles, ...files, "config", flag],
      })),
    );
    const emptyArgs = (flag: string) => ["-p", "fx", "-f", "empty.yaml", "config", flag];
    const [modelRun, quiet, listingRuns, emptyRuns] = await Promise.all([
      referenceRun(cwd, ["-p", "fx", "--profile", "tools", "config", "--format", "json"]),
      tcompose(cwd, ["-p", "fx", ...files, "config", "-q"]),
      Promise.all(listings.map(({ args }) => Promise.all([tcompose(cwd, args), referenceRun(cwd, args)]))),
      Promise.all(
        listingFlags.map((flag) =>
          Promise.all([tcompose(cwd, emptyArgs(flag)), referenceRun(cwd, emptyArgs(flag))]),
        ),
      ),
    ]);
    const model = JSON.parse(modelRun.stdout);
    const dependsOn = (name: string) => Object.keys(model.services[name]?.depends_on ?? {});
    expect(quiet.code).toBe(14);
    for (const [n, { profiles, flag }] of listings.entries()) {
      const [ours, theirs] = listingRuns[n] ?? [];
      if (!ours || !theirs) throw new Error(`no run for ${flag} ${profiles}`);
      expect(theirs.code, theirs.stderr).toBe(0);
      expect(ours.code, ours.stderr).toBe(0);
      // The reference's order of independent services, volumes and images is Go's map order: random.
      expect(lines(ours.stdout).sort(), `${flag} ${profiles}`).toEqual(lines(theirs.stdout).sort());
      if (flag !== "--services") continue;
      for (const order of [lines(ours.stdout), lines(theirs.stdout)]) {
        for (const [i, name] of order.entries()) {
          for (const dependency of dependsOn(name).filter((d) => order.includes(d)))
            expect(order.indexOf(dependency), `${order}: ${dependency} before ${name}`).toBeLessThan(i);
        }
      }
    }
    // Nothing to list prints nothing, not an empty line.
    for (const [i, flag] of listingFlags.entries()) {
      const [ours, theirs] = emptyRuns[i] ?? [];
      expect(ours?.stdout, flag).toBe(theirs?.stdout);
    }
  });

  it("reads the document from stdin with -f -", async ({ expect }) => {
    const cwd = mkdtempSync(path.join(tmpdir(), "tct-stdin-"));
    const doc = "services:\n  web:\n    image: busybox:1.36\n    ports: ['8080:80']\n";
    const args = ["-p", "fx", "-f", "-", "config", "--format", "json"];
    const [ours, theirs] = await Promise.all([tcompose(cwd, args, doc), referenceRun(cwd, args, doc)]);
    expect(JSON.parse(ours.stdout)).toEqual(JSON.parse(theirs.stdout));
  });
});

describe.concurrent("config errors users can act on", () => {
  it("reports every problem at once, with file:line:col, the source line and a did-you-mean", async ({
    expect,
  }) => {
    const cwd = mkdtempSync(path.join(tmpdir(), "tct-errors-"));
    writeFileSync(
      path.join(cwd, "compose.yaml"),
      "services:\n  web:\n    image: busybox\n    commandd: echo hi\n    restart: [always]\n",
    );
    const { code, stdout, stderr } = await tcompose(cwd, ["config"]);
    expect(code).toBe(15);
    expect(stdout).toBe("");
    expect(stderr).toBe(
      [
        "compose.yaml:4:5: services.web.commandd: unknown key 'commandd' (did you mean 'command'?)",
        "    4 |     commandd: echo hi",
        "      |     ^",
        "compose.yaml:5:14: services.web.restart: must be a string",
        "    5 |     restart: [always]",
        "      |              ^",
        "",
      ].join("\n"),
    );
  });

  it("says when there is no compose file, with the reference's exit code 14", async ({ expect }) => {
    const { code, stderr } = await tcompose(mkdtempSync(path.join(tmpdir(), "tct-none-")), ["config"]);
    expect(code).toBe(14);
    expect(stderr).toBe("tcompose: no configuration file provided: not found\n");
  });

  it("lists services, volumes, profiles and images", async ({ expect }) => {
    const cwd = mkdtempSync(path.join(tmpdir(), "tct-list-"));
    writeFileSync(
      path.join(cwd, "compose.yaml"),
      "services:\n  web:\n    build: .\n    volumes: [data:/d]\n  db:\n    image: redis:7-bookworm\n    profiles: [x]\nvolumes:\n  data: {}\n",
    );
    const dir = path.basename(cwd).toLowerCase();
    const [services, profiled, volumes, networks, profiles, images] = await Promise.all(
      [
        ["config", "--services"],
        ["--profile", "x", "config", "--services"],
        ["config", "--volumes"],
        ["config", "--networks"],
        ["config", "--profiles"],
        ["config", "--images"],
      ].map((args) => tcompose(cwd, args)),
    );
    expect(services?.stdout).toBe("web\n");
    expect(profiled?.stdout).toBe("web\ndb\n");
    expect(volumes?.stdout).toBe("data\n");
    expect(networks?.stdout).toBe("default\n");
    expect(profiles?.stdout).toBe("x\n");
    expect(images?.stdout).toBe(`${dir.replace(/[^a-z0-9_-]/g, "")}-web\n`);
  });
});

describe("config --resolve-image-digests", () => {
  it("pins each image to the digest its registry serves (2.26.1 does only with --no-interpolate)", async () => {
    const cwd = mkdtempSync(path.join(tmpdir(), "tct-digests-"));
    writeFileSync(
      path.join(cwd, "compose.yaml"),
      "services:\n  web:\n    image: busybox:1.36\n  app:\n    build: .\n",
    );
    expect(spawnSync("docker", ["pull", "-q", "busybox:1.36"]).status).toBe(0);
    const inspected = spawnSync(
      "docker",
      ["image", "inspect", "busybox:1.36", "--format", "{{json .RepoDigests}}"],
      {
        encoding: "utf8",
      },
    );
    const digests = (JSON.parse(inspected.stdout) as string[]).map((d) => d.slice(d.indexOf("@") + 1));
    const { code, stdout, stderr } = await tcompose(cwd, [
      "config",
      "--resolve-image-digests",
      "--format",
      "json",
    ]);
    expect(code, stderr).toBe(0);
    const services = JSON.parse(stdout).services;
    expect(services.web.image).toMatch(/^docker\.io\/library\/busybox:1\.36@sha256:[0-9a-f]{64}$/);
    expect(digests).toContain(services.web.image.split("@")[1]);
    expect(services.app.image).toBeUndefined();

    writeFileSync(path.join(cwd, "compose.yaml"), "services:\n  web:\n    image: tcompose-test/absent:1\n");
    const absent = await tcompose(cwd, ["config", "--resolve-image-digests"]);
    expect(absent.code).toBe(1);
    expect(absent.stdout).toBe("");
    expect(absent.stderr).toMatch(/^tcompose: Error response from daemon: /);
    expect(absent.stderr).not.toMatch(/^\s+at /m);
  });
});

/** A project directory, extra environment, global flags (before `config`) and arguments after it. */
interface EnvCase {
  dir: string;
  env?: Record<string, string>;
  flags?: string[];
  after?: string[];
}

const envCases: [string, EnvCase][] = [
  [
    ".env: quoting, comments, export, nesting; its COMPOSE_PROJECT_NAME names the project",
    { dir: "env/basic" },
  ],
  ["an env_file format 2.26 does not know is refused", { dir: "env/basic", flags: ["-f", "format.yaml"] }],
  ["the shell wins over .env", { dir: "env/basic", env: { A: "from-shell", SHELLVAR: "s" } }],
  ["--env-file replaces .env", { dir: "env/basic", flags: ["-p", "fx", "--env-file", "other.env"] }],
  [
    "--env-file twice: later files win",
    { dir: "env/basic", flags: ["-p", "fx", "--env-file", ".env", "--env-file", "other.env"] },
  ],
  [
    "COMPOSE_FILE lists the files",
    { dir: "env/composefile", env: { COMPOSE_FILE: "a.yaml:b.yaml" }, flags: ["-p", "fx"] },
  ],
  [
    "COMPOSE_FILE with COMPOSE_PATH_SEPARATOR",
    {
      dir: "env/composefile",
      env: { COMPOSE_FILE: "b.yaml;a.yaml", COMPOSE_PATH_SEPARATOR: ";" },
      flags: ["-p", "fx"],
    },
  ],
  [
    "-f wins over COMPOSE_FILE",
    { dir: "env/composefile", env: { COMPOSE_FILE: "a.yaml:b.yaml" }, flags: ["-p", "fx", "-f", "a.yaml"] },
  ],
  ["profiles: only services without one by default", { dir: "profiles", flags: ["-p", "fx"] }],
  ["--profile x", { dir: "profiles", flags: ["-p", "fx", "--profile", "x"] }],
  ["--profile twice", { dir: "profiles", flags: ["-p", "fx", "--profile", "y", "--profile", "z"] }],
  ["COMPOSE_PROFILES", { dir: "profiles", env: { COMPOSE_PROFILES: "z,y" }, flags: ["-p", "fx"] }],
  ["--profile '*' enables every profile", { dir: "profiles", flags: ["-p", "fx", "--profile", "*"] }],
  [
    "a service named on the command line enables its profile",
    { dir: "profiles", flags: ["-p", "fx"], after: ["tools"] },
  ],
  [
    "interpolation: every operator, variables set",
    { dir: "interpolation", env: { SET: "v", EMPTY: "", TAG: "1.36" }, flags: ["-p", "fx"] },
  ],
  [
    "interpolation: every operator, variables unset",
    { dir: "interpolation", env: { SET: "v" }, flags: ["-p", "fx"] },
  ],
  ["${VAR:?msg} unset fails", { dir: "interpolation", flags: ["-p", "fx", "-f", "required.yaml"] }],
  [
    "${VAR:?msg} empty fails",
    { dir: "interpolation", env: { REQUIRED: "" }, flags: ["-p", "fx", "-f", "required.yaml"] },
  ],
  [
    "${VAR:?msg} set",
    { dir: "interpolation", env: { REQUIRED: "r" }, flags: ["-p", "fx", "-f", "required.yaml"] },
  ],
  ["${VAR?msg} unset fails", { dir: "interpolation", flags: ["-p", "fx", "-f", "question.yaml"] }],
  [
    "${VAR?msg} empty is fine",
    { dir: "interpolation", env: { REQUIRED: "" }, flags: ["-p", "fx", "-f", "question.yaml"] },
  ],
  ["project name from the directory, normalised", { dir: "names/My_Project.Dir" }],
  ["project name from name:, interpolated", { dir: "names/top" }],
  ["project name from name:, with the variable set", { dir: "names/top", env: { NAME: "from-var" } }],
  [
    "COMPOSE_PROJECT_NAME from the shell over name:",
    { dir: "names/top", env: { COMPOSE_PROJECT_NAME: "shellname" } },
  ],
  [
    "-p over COMPOSE_PROJECT_NAME",
    { dir: "names/top", env: { COMPOSE_PROJECT_NAME: "shellname" }, flags: ["-p", "flagname"] },
  ],
  ["${COMPOSE_PROJECT_NAME} in a service is the name from name:", { dir: "env/name-top" }],
  [
    "${COMPOSE_PROJECT_NAME} in a service is the shell's name",
    { dir: "env/name-top", env: { COMPOSE_PROJECT_NAME: "from-shell" } },
  ],
  ["COMPOSE_PROJECT_NAME from .env names the project and its networks", { dir: "env/name-dotenv" }],
  ["a directory name with dots, spaces and capitals", { dir: "env/My.Odd Dir_Name-1" }],
  [
    "COMPOSE_FILE instead of compose.yaml",
    { dir: "env/compose-file", env: { COMPOSE_FILE: "a.yaml:b.yaml" } },
  ],
  ["compose.yaml without COMPOSE_FILE", { dir: "env/compose-file" }],
  [
    "environment as map and list, valueless entries from the shell and .env",
    { dir: "env/environment", env: { FROM_SHELL: "shell", BOTH: "shell" }, flags: ["-p", "fx"] },
  ],
  [
    "env_file as a string, a list and the long form with required",
    { dir: "env/service-files", flags: ["-p", "fx"] },
  ],
  [
    ".env: quotes, export, comments, defaults and interpolation inside",
    { dir: "env/dotenv", flags: ["-p", "fx"] },
  ],
  [".env under the shell", { dir: "env/dotenv", env: { FROM_SHELL: "s", TAG: "2" }, flags: ["-p", "fx"] }],
  [
    "--env-file twice: the second file sees the first's variables",
    { dir: "env/env-flag", flags: ["-p", "fx", "--env-file", "a.env", "--env-file", "b.env"] },
  ],
  ["--env-file: .env is not read", { dir: "env/env-flag", flags: ["-p", "fx", "--env-file", "b.env"] }],
  ["${VAR:?} inside .env, unset: fails", { dir: "interpolation/required-dotenv", flags: ["-p", "fx"] }],
  [
    "${VAR:?} inside .env, set",
    { dir: "interpolation/required-dotenv", env: { SECRET: "s" }, flags: ["-p", "fx"] },
  ],
  ["typed fields from defaults", { dir: "interpolation/typed", flags: ["-p", "fx"] }],
  [
    "typed fields from variables",
    {
      dir: "interpolation/typed",
      env: { READ_ONLY: "false", SCALE: "3", PUBLISHED: "9191", MODE: "rw", RETRIES: "5" },
      flags: ["-p", "fx"],
    },
  ],
  ["${VAR:?} in the file, unset: fails", { dir: "interpolation/required-envfile", flags: ["-p", "fx"] }],
  [
    "${VAR?} in an env_file, unset: fails",
    { dir: "interpolation/required-envfile", env: { WORD: "w" }, flags: ["-p", "fx"] },
  ],
  [
    "${VAR?} in an env_file, set",
    { dir: "interpolation/required-envfile", env: { WORD: "w", TOKEN_SRC: "t" }, flags: ["-p", "fx"] },
  ],
  [
    "every operator, nested and escaped, in x- values and services",
    { dir: "interpolation/forms", flags: ["-p", "fx"] },
  ],
  ["an optional dependency in an inactive profile", { dir: "profiles/deps", flags: ["-p", "fx"] }],
  [
    "a profile whose service depends on another profile's",
    { dir: "profiles/deps", flags: ["-p", "fx", "--profile", "admin"] },
  ],
  [
    "a named service brings its profile's dependencies",
    { dir: "profiles/deps", flags: ["-p", "fx"], after: ["admin"] },
  ],
  [
    "a named service enables its profiles, and their other services",
    { dir: "profiles/deps", flags: ["-p", "fx"], after: ["api"] },
  ],
  [
    "an unquoted date where text is expected is refused",
    { dir: "timestamps", flags: ["-p", "fx", "-f", "text.yaml"] },
  ],
  ["a service in two profiles", { dir: "profiles/basic", flags: ["-p", "fx", "--profile", "debug"] }],
  ['the profile "" is active by default', { dir: "profiles/empty-name", flags: ["-p", "fx"] }],
  ["not with --profile x", { dir: "profiles/empty-name", flags: ["-p", "fx", "--profile", "x"] }],
  [
    'an empty name in COMPOSE_PROFILES activates ""',
    { dir: "profiles/empty-name", env: { COMPOSE_PROFILES: " x,,y" }, flags: ["-p", "fx"] },
  ],
  [
    "an interpolated profile name",
    { dir: "profiles/basic", env: { CACHE_PROFILE: "c", COMPOSE_PROFILES: "c" }, flags: ["-p", "fx"] },
  ],
];

describe
  .skipIf(!referenceBinary)
  .concurrent(`config with environments, profiles and names is the reference's${referenceSkipNote}`, () => {
    it.for(envCases)("%s", async ([_title, c], { expect }) => {
      const cwd = path.join(fixtures, c.dir);
      const runEnv = { ...env, ...c.env };
      const formats = ["json", "yaml"];
      const runs = await Promise.all(
        formats.map((format) => {
          const args = [...(c.flags ?? []), "config", "--format", format, ...(c.after ?? [])];
          return Promise.all([
            runIn(cwd, process.execPath, [cliPath, ...args], undefined, runEnv),
            runIn(cwd, referenceBinary ?? "", args, undefined, runEnv),
          ]);
        }),
      );
      for (const [i, format] of formats.entries()) {
        const [ours, theirs] = runs[i] ?? [];
        if (!ours || !theirs) throw new Error(`no run for ${format}`);
        expect(ours.code, `${ours.stderr}\nreference: ${theirs.stderr}`).toBe(theirs.code);
        if (theirs.code !== 0) {
          expect(ours.stderr).not.toMatch(/^\s+at /m);
          continue;
        }
        if (format === "yaml") expectSameYaml(expect, ours.stdout, theirs.stdout, false);
        else expect(JSON.parse(ours.stdout)).toEqual(JSON.parse(theirs.stdout));
      }
    });
  });

/** Pieces of tricky scalars: indicators, YAML 1.1 words, numbers, dates, escapes, unicode. */
const scalarPieces = [
  ...[" ", "  ", ":", ": ", "#", " #", "- ", "-", "?", "? ", "'", '"', "\\", "<<", "=", "@", "`", "!", "&"],
  ...["*", "%", "|", ">", ",", "[", "]", "{", "}", "---", "...", "+", ".", "~", "\n", "\n\n", "\t", "\r"],
  ...["yes", "no", "on", "off", "y", "n", "Y", "N", "Yes", "NO", "true", "False", "null", "NULL", "a", "abc"],
  ...["0", "1", "12", "-1", "+1", "0x1F", "0X1f", "0o17", "0b101", "017", "08", "1e3", "1E-3", ".5", "1."],
  ...["1:20", "1:20:30.5", "-1:30", "8080:80", ":80", "1d", "1_000", "0_7", ".inf", "-.Inf", ".nan", "1e400"],
  ...["2001-12-14", "2001-1-2", "2001-12-14t21:59:43.10-05:00", "2001-12-14 21:59:43.10", "2001-02-30"],
  ...["127.0.0.1", "0.0.0.0:8000", "9223372036854775808", "0x10000000000000000", "0b-1", "0o+7", ".5e999"],
  ...["é", "日本", "😀", "٣", "\u2028", "\u0085", "\u00a0", "\ufeff", "\u0007", "\u007f", "a1", "a01", "a10"],
  ...["REDIS_SLAVEOF_IP", "REDISPASS", "_x", "x_y", "1a"],
];

/** `n` strings from a seeded generator: single pieces, a few joined, or one repeated into a long string. */
function trickyStrings(seed: number, n: number): string[] {
  let state = seed >>> 0;
  const random = () => {
    state = (Math.imul(state, 1664525) + 1013904223) >>> 0;
    return state / 2 ** 32;
  };
  const pick = () => scalarPieces[Math.floor(random() * scalarPieces.length)] ?? "";
  return Array.from({ length: n }, () => {
    const r = random();
    if (r < 0.3) return pick();
    if (r < 0.95) return Array.from({ length: 2 + Math.floor(random() * 3) }, pick).join("");
    return `${pick().repeat(40 + Math.floor(random() * 60))} x`;
  });
}

/** A double-quoted YAML scalar with everything outside printable ASCII escaped. */
function quoted(s: string): string {
  let out = '"';
  for (const ch of s) {
    const c = ch.codePointAt(0) ?? 0;
    if (ch === '"' || ch === "\\") out += `\\${ch}`;
    else if (c >= 0x20 && c <= 0x7e) out += ch;
    else if (c <= 0xffff) out += `\\u${c.toString(16).padStart(4, "0")}`;
    else out += `\\U${c.toString(16).padStart(8, "0")}`;
  }
  return `${out}"`;
}

/**
 * Keys whose yaml.v3 order is a strict total order. Its Less is not transitive for some keys (a digit run
 * past 2^63 wraps around), and yaml.v3 sorts the keys in Go's random map order, so the reference's own
 * order of such keys changes from run to run.
 */
function totallyOrdered(strings: string[]): string[] {
  const keys = [...new Set(strings)];
  for (;;) {
    keys.sort(goKeyCompare);
    let bad = -1;
    for (let i = 0; i < keys.length && bad < 0; i++) {
      for (let j = i + 1; j < keys.length; j++) {
        if (!goKeyLess(keys[i] ?? "", keys[j] ?? "") || goKeyLess(keys[j] ?? "", keys[i] ?? "")) {
          bad = j;
          break;
        }
      }
    }
    if (bad < 0) return keys;
    keys.splice(bad, 1);
  }
}

describe.skipIf(!referenceBinary)(`config's YAML scalars are the reference's${referenceSkipNote}`, () => {
  it("prints a few hundred generated strings as values and keys in the same text", async () => {
    const cwd = mkdtempSync(path.join(tmpdir(), "tct-scalars-"));
    // No `$` (interpolated) and no leading line feed (yaml.v3 loses it from a literal block; tcompose keeps it).
    const strings = [1, 2].flatMap((seed) =>
      trickyStrings(seed, 200).filter((s) => !s.includes("$") && !s.startsWith("\n")),
    );
    const keys = totallyOrdered(strings);
    expect(keys.length).toBeGreaterThan(250);
    let doc = "services:\n  a:\n    image: busybox\nx-scalars:\n  map:\n";
    // Explicit keys: an implicit one may not be longer than 1024 characters.
    for (const [i, key] of keys.entries()) doc += `    ? ${quoted(key)}\n    : ${quoted(strings[i] ?? "")}\n`;
    doc += `  list:\n${strings.map((s) => `    - ${quoted(s)}\n`).join("")}`;
    writeFileSync(path.join(cwd, "compose.yaml"), doc);
    const flagSets = [[], ["--no-interpolate"]];
    const runs = await Promise.all(
      flagSets.map((flags) =>
        Promise.all([
          referenceRun(cwd, ["-p", "fx", "config", ...flags]),
          tcompose(cwd, ["-p", "fx", "config", ...flags]),
        ]),
      ),
    );
    for (const [i, flags] of flagSets.entries()) {
      const [theirs, ours] = runs[i] ?? [];
      if (!ours || !theirs) throw new Error(`no run for ${flags}`);
      expect(theirs.code, theirs.stderr).toBe(0);
      expect(ours.code, ours.stderr).toBe(0);
      expect(ours.stdout, flags.join(" ")).toBe(theirs.stdout);
    }
  });
});
