import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cliPath } from "../helpers/paths.js";

// `tcompose completion bash|zsh` sourced by real shells, completing as a user's TAB would: the shell's
// completion function is called with the line's words, and it asks `tcompose __complete services`.

/** zsh, installed here when it is absent and this machine allows it (root with apt-get, as in CI). */
function findZsh(): string | undefined {
  const which = () =>
    spawnSync("sh", ["-c", "command -v zsh"], { encoding: "utf8" }).stdout.trim() || undefined;
  const found = which();
  if (found || process.getuid?.() !== 0) return found;
  const apt = (...args: string[]) =>
    spawnSync("apt-get", args, {
      env: { ...process.env, DEBIAN_FRONTEND: "noninteractive" },
      timeout: 120_000,
    });
  if (apt("install", "-y", "-q", "zsh").status !== 0) {
    apt("update", "-q");
    apt("install", "-y", "-q", "zsh");
  }
  return which();
}
const zsh = findZsh();

const quote = (word: string) => `'${word.replaceAll("'", `'\\''`)}'`;

let dir: string;
let env: Record<string, string>;

beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), "tct-completion-"));
  const bin = path.join(dir, "bin");
  mkdirSync(bin);
  symlinkSync(cliPath, path.join(bin, "tcompose"));
  const project = path.join(dir, "project");
  mkdirSync(project);
  const services = (...names: string[]) =>
    `services:\n${names.map((n) => `  ${n}:\n    image: busybox:1.36\n`).join("")}`;
  writeFileSync(path.join(project, "compose.yaml"), services("web", "db"));
  writeFileSync(path.join(project, "other.yaml"), services("api"));
  writeFileSync(
    path.join(project, "profiles.yaml"),
    `${services("web")}  tools:\n    image: x\n    profiles: [debug]\n`,
  );
  writeFileSync(path.join(project, "broken.yaml"), "services:\n  web: [\n");
  // No COMPOSE_* of the runner's environment: the project is the directory's.
  env = {
    PATH: [bin, path.dirname(process.execPath), "/usr/local/bin", "/usr/bin", "/bin"].join(":"),
    HOME: process.env.HOME ?? "/root",
  };
});

afterAll(() => {
  if (dir) rmSync(dir, { recursive: true, force: true });
});

function inProject(command: string, args: string[], cwd = path.join(dir, "project")) {
  const r = spawnSync(command, args, { cwd, env, encoding: "utf8", timeout: 60_000 });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** The lines [words, expected] → what the completion offers for each, one shell for all. */
const cases: Array<[string[], string[]]> = [
  [["tcompose", "up", "--bu"], ["--build"]],
  [["tcompose", "lo"], ["logs"]],
  [["tcompose", "comp"], ["completion"]],
  [
    ["tcompose", "up", ""],
    ["db", "web"],
  ],
  [["tcompose", "-f", "other.yaml", "logs", ""], ["api"]],
  [
    ["tcompose", "logs", "-f", ""],
    ["db", "web"],
  ],
  [["tcompose", "-p", "x", "exec", "w"], ["web"]],
  [["tcompose", "exec", "web", ""], []],
  [["tcompose", "up", "--attach", "d"], ["db"]],
  [
    ["tcompose", "-f", "profiles.yaml", "stop", ""],
    ["tools", "web"],
  ],
  [["tcompose", "-f", "broken.yaml", "up", ""], []],
  [["tcompose", "-f", "oth"], ["other.yaml"]],
  [["tcompose", "up", "-f", "oth"], ["other.yaml"]],
  [["tcompose", "--env-file", "pro"], ["profiles.yaml"]],
  [
    ["tcompose", "--progress", ""],
    ["auto", "json", "plain", "quiet", "tty"],
  ],
  [["tcompose", "up", "--progress", "p"], ["plain"]],
  [["tcompose", "stop", "--t"], ["--timeout"]],
  [
    ["tcompose", "completion", ""],
    ["bash", "zsh"],
  ],
  [
    ["tcompose", "--pro"],
    ["--profile", "--progress", "--project-directory", "--project-name"],
  ],
];

// zsh runs the same walk: the lines that do not ask the project for its services (a process each), and two
// that do.
const projectNames = ["web", "db", "api", "tools"];
const zshCases: Array<[string[], string[]]> = [
  ...cases.filter(
    ([words, expected]) => !expected.some((e) => projectNames.includes(e)) && !words.includes("broken.yaml"),
  ),
  [["tcompose", "-f", "other.yaml", "logs", ""], ["api"]],
  [
    ["tcompose", "logs", "-f", ""],
    ["db", "web"],
  ],
];

describe("bash completion", () => {
  /** Runs bash with the script as a user loads it and prints each case's COMPREPLY on a line. */
  function complete(lines: string[][]) {
    const program = [
      "source <(tcompose completion bash)",
      'c() { COMP_WORDS=("$@"); COMP_CWORD=$(( $# - 1 )); COMP_LINE="$*"; COMP_POINT=${#COMP_LINE};',
      '  COMPREPLY=(); _tcompose; local IFS=,; printf "%s\\n" "${COMPREPLY[*]}"; }',
      ...lines.map((words) => `c ${words.map(quote).join(" ")}`),
    ].join("\n");
    const r = inProject("bash", ["--norc", "--noprofile", "-c", program]);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    return r.stdout
      .split("\n")
      .slice(0, lines.length)
      .map((l) => (l ? l.split(",").sort() : []));
  }

  it("completes commands, flags, their values and the project's services", () => {
    const offered = complete(cases.map(([words]) => words));
    expect(cases.map(([words], i) => [words.join(" "), offered[i]])).toEqual(
      cases.map(([words, expected]) => [words.join(" "), expected]),
    );
  });

  it("reads --flag=value, which bash splits at '='", () => {
    const offered = complete([
      ["tcompose", "--progress", "=", "pl"],
      ["tcompose", "--progress", "="],
      ["tcompose", "--file", "=", "other.yaml", "ps", ""],
    ]);
    expect(offered).toEqual([["plain"], ["auto", "json", "plain", "quiet", "tty"], ["api"]]);
  });

  it("is valid bash; an unknown shell is refused", () => {
    const script = inProject("tcompose", ["completion", "bash"]);
    expect(script.code).toBe(0);
    expect(inProject("bash", ["-n", "-c", script.stdout])).toEqual({ code: 0, stdout: "", stderr: "" });
    const fish = inProject("tcompose", ["completion", "fish"]);
    expect(fish.code).toBe(1);
    expect(fish.stderr).toContain("'fish' is invalid");
  });
});

describe("__complete services", () => {
  it("prints the services of the project the words choose, and nothing (exit 0) without a valid one", () => {
    expect(inProject("tcompose", ["__complete", "services", "--", "up"])).toEqual({
      code: 0,
      stdout: "web\ndb\n",
      stderr: "",
    });
    expect(
      inProject("tcompose", ["__complete", "services", "--", "-f", "other.yaml", "logs", "-f"]).stdout,
    ).toBe("api\n");
    for (const args of [["-f", "broken.yaml", "up"], []]) {
      expect(inProject("tcompose", ["__complete", "services", "--", ...args], dir), args.join(" ")).toEqual({
        code: 0,
        stdout: "",
        stderr: "",
      });
    }
  });

  it("is not listed in --help; completion is, last of the commands before help", () => {
    const help = inProject("tcompose", ["--help"]).stdout;
    expect(help).not.toContain("__complete");
    const commands = help.slice(help.indexOf("Commands:")).match(/^ {2}[a-z]+/gm);
    expect(commands?.slice(-4).map((c) => c.trim())).toEqual(["watch", "stack", "completion", "help"]);
  });
});

describe.skipIf(!zsh)(`zsh completion${zsh ? "" : " [SKIPPED: zsh absent and not installable here]"}`, () => {
  it("is valid zsh and completes as bash does (zsh's completion builtins stubbed)", () => {
    const script = inProject("tcompose", ["completion", "zsh"]);
    expect(script.code).toBe(0);
    expect(script.stdout.startsWith("#compdef tcompose\n")).toBe(true);
    expect(inProject(zsh as string, ["-n", "-c", script.stdout])).toEqual({
      code: 0,
      stdout: "",
      stderr: "",
    });
    // Outside a completion widget `words` and CURRENT are plain variables: the function runs as under TAB,
    // with compadd/_describe/_files printing what they are offered (filtered by PREFIX as zsh does).
    const program = [
      "compdef() { : }",
      "compset() { : }",
      'compadd() { while [[ $1 != -- ]]; do shift; done; shift; local w; for w in "$@"; do [[ $w == ${PREFIX}* ]] && print -r -- "$w"; done }',
      '_describe() { local name=${@[-1]} item; for item in "${(@P)name}"; do item=${item%%:*}; [[ $item == ${PREFIX}* ]] && print -r -- "$item"; done }',
      "_files() { print -r -- '<files>' }",
      "source <(tcompose completion zsh)",
      'c() { words=("$@"); CURRENT=$#; PREFIX=${words[-1]}; print -r -- ${(j:,:)${(f)"$(_tcompose)"}} }',
      ...zshCases.map(([words]) => `c ${words.map(quote).join(" ")}`),
    ].join("\n");
    const r = inProject(zsh as string, ["-f", "-c", program]);
    expect(r.stderr).toBe("");
    const offered = r.stdout
      .split("\n")
      .slice(0, zshCases.length)
      .map((l) => (l ? l.split(",").sort() : []));
    // File names are zsh's own _files.
    const expected = zshCases.map(([, list]) => (list.some((l) => l.endsWith(".yaml")) ? ["<files>"] : list));
    expect(zshCases.map(([words], i) => [words.join(" "), offered[i]])).toEqual(
      zshCases.map(([words], i) => [words.join(" "), expected[i]]),
    );
  });

  it("completes in an interactive zsh after compinit", () => {
    // zpty drives an interactive zsh: each TAB's result is awaited by pattern (no sleeps); a completion that
    // does not come ends the run at the timeout.
    const program = `
zmodload zsh/zpty
zpty z 'PS1="> " zsh -f -i'
zpty -w z 'autoload -U compinit && compinit -u && source <(tcompose completion zsh) && print READY'
zpty -r z out '*READY*' && zpty -r z out '*> '
zpty -n -w z $'tcompose up --bu\\t'
zpty -r z out '*--build*' && print ok flag
zpty -n -w z $'\\C-utcompose -f other.yaml logs \\t'
zpty -r z out '*logs api*' && print ok service
zpty -n -w z $'\\C-utcompose --progress=j\\t'
zpty -r z out '*--progress=json*' && print ok value
zpty -d z
`;
    const r = spawnSync("timeout", ["20", zsh as string, "-f", "-c", program], {
      cwd: path.join(dir, "project"),
      env,
      encoding: "utf8",
    });
    expect(r.stdout).toBe("ok flag\nok service\nok value\n");
  });
});
