import { spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { parse as parseYaml } from "yaml";
import { cliPath, referenceBinary, referenceSkipNote, repoRoot } from "../helpers/paths.js";

const fixtures = path.join(repoRoot, "test/fixtures");
// Both tools see the same, minimal environment, so nothing of the test runner's leaks into interpolation.
const env = { PATH: process.env.PATH ?? "", HOME: "/root" };

function runIn(dir: string, command: string, args: string[], input?: string) {
  const r = spawnSync(command, args, { cwd: dir, env, encoding: "utf8", ...(input ? { input } : {}) });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}
const tcompose = (dir: string, args: string[], input?: string) =>
  runIn(dir, process.execPath, [cliPath, ...args], input);

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
  ...["short", "long", "nested", "paths", "same", "conflict", "missing", "cycle"].map(
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
];

/** The model flags, alone and together; --no-interpolate prints the reference's map-level model. */
const variants: [string[], ("json" | "yaml")[]][] = [
  [["--no-interpolate"], ["json", "yaml"]],
  [["--no-interpolate", "--no-normalize", "--no-path-resolution"], ["json"]],
  [["--no-normalize"], ["json", "yaml"]],
  [["--no-path-resolution"], ["json"]],
  [["--no-normalize", "--no-path-resolution"], ["json"]],
];

/** Both tools on one project and flags: the same exit code and, when it is 0, the same document. */
function sameConfig(dir: string, files: string[], flags: string[], formats: readonly ("json" | "yaml")[]) {
  const cwd = path.join(fixtures, dir);
  const args = ["-p", "fx", ...files.flatMap((f) => ["-f", f]), "config", ...flags];
  for (const format of formats) {
    const ours = tcompose(cwd, [...args, "--format", format]);
    const theirs = runIn(cwd, referenceBinary ?? "", [...args, "--format", format]);
    expect(ours.code, `${format}: ${ours.stderr}\nreference: ${theirs.stderr}`).toBe(theirs.code);
    if (theirs.code !== 0) continue;
    const read = format === "json" ? JSON.parse : (text: string) => parseYaml(text, { version: "1.1" });
    expect(read(ours.stdout), format).toEqual(read(theirs.stdout));
  }
}

describe.skipIf(!referenceBinary)(`config is the reference's config${referenceSkipNote}`, () => {
  it.each(cases)("%s %j: same exit code, same JSON, same YAML document", (dir, files) => {
    sameConfig(dir, files, [], ["json", "yaml"]);
  });

  it.each(cases)("%s %j with each of the model flags: the same again", (dir, files) => {
    for (const [flags, formats] of variants) sameConfig(dir, files, flags, formats);
  });

  it.each(["schema/invalid", "semantic"])(
    "exits like the reference on every invalid fixture of %s, with located messages and no stack trace",
    (dir) => {
      const cwd = path.join(fixtures, dir);
      for (const file of readdirSync(cwd)) {
        const ours = tcompose(cwd, ["-p", "fx", "-f", file, "config", "-q"]);
        const theirs = runIn(cwd, referenceBinary ?? "", ["-p", "fx", "-f", file, "config", "-q"]);
        // The reference crashes (exit 2) on extends without a service; tcompose reports it as invalid.
        if (theirs.code !== 2) expect(ours.code, `${file}: ${ours.stderr}`).toBe(theirs.code);
        expect(ours.stderr, file).not.toMatch(/^\s+at /m);
        if (ours.code === 15)
          expect(ours.stderr, file).toMatch(new RegExp(`^${file.replace(".", "\\.")}:\\d+:\\d+: `));
      }
    },
  );

  it("lists the variables the files use like config --variables (rows in any order there)", () => {
    const cwd = path.join(fixtures, "variables");
    const rows = (text: string) => {
      const [header, ...rest] = text.split("\n").filter((l) => l !== "");
      return [header, ...rest.sort()];
    };
    for (const extra of [[], ["--format", "json"]]) {
      const args = ["-p", "fx", "config", "--variables", ...extra];
      const ours = tcompose(cwd, args);
      const theirs = runIn(cwd, referenceBinary ?? "", args);
      expect(ours.code, ours.stderr).toBe(theirs.code);
      expect(rows(ours.stdout)).toEqual(rows(theirs.stdout));
    }
    const missing = ["-p", "fx", "-f", "nope.yaml", "config", "--variables"];
    expect(tcompose(cwd, missing).code).toBe(runIn(cwd, referenceBinary ?? "", missing).code);
  });

  it("reads the document from stdin with -f -", () => {
    const cwd = mkdtempSync(path.join(tmpdir(), "tct-stdin-"));
    const doc = "services:\n  web:\n    image: busybox:1.36\n    ports: ['8080:80']\n";
    const ours = tcompose(cwd, ["-p", "fx", "-f", "-", "config", "--format", "json"], doc);
    const theirs = spawnSync(referenceBinary ?? "", ["-p", "fx", "-f", "-", "config", "--format", "json"], {
      cwd,
      env,
      input: doc,
      encoding: "utf8",
    });
    expect(JSON.parse(ours.stdout)).toEqual(JSON.parse(theirs.stdout));
  });
});

describe("config errors users can act on", () => {
  it("reports every problem at once, with file:line:col, the source line and a did-you-mean", () => {
    const cwd = mkdtempSync(path.join(tmpdir(), "tct-errors-"));
    writeFileSync(
      path.join(cwd, "compose.yaml"),
      "services:\n  web:\n    image: busybox\n    commandd: echo hi\n    restart: [always]\n",
    );
    const { code, stdout, stderr } = tcompose(cwd, ["config"]);
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

  it("says when there is no compose file, with the reference's exit code 14", () => {
    const { code, stderr } = tcompose(mkdtempSync(path.join(tmpdir(), "tct-none-")), ["config"]);
    expect(code).toBe(14);
    expect(stderr).toBe("tcompose: no configuration file provided: not found\n");
  });

  it("lists services, volumes, profiles and images", () => {
    const cwd = mkdtempSync(path.join(tmpdir(), "tct-list-"));
    writeFileSync(
      path.join(cwd, "compose.yaml"),
      "services:\n  web:\n    build: .\n    volumes: [data:/d]\n  db:\n    image: redis:7-bookworm\n    profiles: [x]\nvolumes:\n  data: {}\n",
    );
    const dir = path.basename(cwd).toLowerCase();
    expect(tcompose(cwd, ["config", "--services"]).stdout).toBe("web\n");
    expect(tcompose(cwd, ["--profile", "x", "config", "--services"]).stdout).toBe("web\ndb\n");
    expect(tcompose(cwd, ["config", "--volumes"]).stdout).toBe("data\n");
    expect(tcompose(cwd, ["config", "--networks"]).stdout).toBe("default\n");
    expect(tcompose(cwd, ["config", "--profiles"]).stdout).toBe("x\n");
    expect(tcompose(cwd, ["config", "--images"]).stdout).toBe(`${dir.replace(/[^a-z0-9_-]/g, "")}-web\n`);
  });
});

describe("config --resolve-image-digests", () => {
  it("pins each image to the digest its registry serves (2.26.1 does only with --no-interpolate)", () => {
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
    const { code, stdout, stderr } = tcompose(cwd, ["config", "--resolve-image-digests", "--format", "json"]);
    expect(code, stderr).toBe(0);
    const services = JSON.parse(stdout).services;
    expect(services.web.image).toMatch(/^docker\.io\/library\/busybox:1\.36@sha256:[0-9a-f]{64}$/);
    expect(digests).toContain(services.web.image.split("@")[1]);
    expect(services.app.image).toBeUndefined();

    writeFileSync(path.join(cwd, "compose.yaml"), "services:\n  web:\n    image: tcompose-test/absent:1\n");
    const absent = tcompose(cwd, ["config", "--resolve-image-digests"]);
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
  [
    "an interpolated profile name",
    { dir: "profiles/basic", env: { CACHE_PROFILE: "c", COMPOSE_PROFILES: "c" }, flags: ["-p", "fx"] },
  ],
];

describe.skipIf(!referenceBinary)(
  `config with environments, profiles and names is the reference's${referenceSkipNote}`,
  () => {
    it.each(envCases)("%s", (_title, c) => {
      const cwd = path.join(fixtures, c.dir);
      const runEnv = { ...env, ...c.env };
      for (const format of ["json", "yaml"]) {
        const args = [...(c.flags ?? []), "config", "--format", format, ...(c.after ?? [])];
        const run = (command: string, argv: string[]) => {
          const r = spawnSync(command, argv, { cwd, env: runEnv, encoding: "utf8" });
          return { code: r.status, stdout: r.stdout, stderr: r.stderr };
        };
        const ours = run(process.execPath, [cliPath, ...args]);
        const theirs = run(referenceBinary ?? "", args);
        expect(ours.code, `${ours.stderr}\nreference: ${theirs.stderr}`).toBe(theirs.code);
        if (theirs.code !== 0) {
          expect(ours.stderr).not.toMatch(/^\s+at /m);
          continue;
        }
        const read = format === "json" ? JSON.parse : (text: string) => parseYaml(text, { version: "1.1" });
        expect(read(ours.stdout)).toEqual(read(theirs.stdout));
      }
    });
  },
);
