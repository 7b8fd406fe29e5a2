import { describe, expect, it } from "vitest";
import { composeCommands } from "../../../src/cli/commands/catalog.js";
import {
  bashScript,
  type CompletionData,
  completionData,
  projectFlagValues,
  shellWord,
  zshScript,
} from "../../../src/cli/completion.js";
import { buildProgram } from "../../../src/cli/main.js";

const program = buildProgram({ stdout: () => {}, stderr: () => {} });
const data: CompletionData = completionData(program);
const command = (name: string) => data.commands.find((c) => c.names.includes(name));
const flag = (flags: CompletionData["globals"], name: string) => flags.find((f) => f.names.includes(name));

describe("completion data, read from the program", () => {
  it("has every command the help lists, the reference's and completion, and not the hidden helper", () => {
    const names = data.commands.map((c) => c.names[0]);
    for (const { name } of composeCommands) expect(names).toContain(name);
    expect(names).toContain("completion");
    expect(names).toContain("help");
    expect(names).not.toContain("__complete");
    expect(command("convert")?.names).toEqual(["config", "convert"]);
  });

  it("has the global flags, with what their values complete to", () => {
    for (const name of [
      "-f",
      "--file",
      "-p",
      "--project-name",
      "--profile",
      "--env-file",
      "--project-directory",
      "--progress",
      "--parallel",
      "--dry-run",
      "--ansi",
      "--compatibility",
      "-h",
    ]) {
      expect(flag(data.globals, name), name).toBeDefined();
    }
    // Every option the program declares, so a flag added there is completed too.
    for (const option of program.options) expect(flag(data.globals, option.long as string)).toBeDefined();
    expect(flag(data.globals, "-f")).toMatchObject({ names: ["-f", "--file"], value: "file", hidden: false });
    expect(flag(data.globals, "--env-file")?.value).toBe("file");
    expect(flag(data.globals, "--project-directory")?.value).toBe("directory");
    expect(flag(data.globals, "--progress")).toMatchObject({
      value: "choice",
      choices: ["auto", "tty", "plain", "json", "quiet"],
    });
    expect(flag(data.globals, "-p")?.value).toBe("text");
    expect(flag(data.globals, "--dry-run")?.value).toBe("none");
  });

  it("has each command's flags and arguments", () => {
    const up = command("up");
    expect(flag(up?.flags ?? [], "--build")).toMatchObject({ value: "none", hidden: false });
    expect(flag(up?.flags ?? [], "-d")?.names).toEqual(["-d", "--detach"]);
    expect(flag(up?.flags ?? [], "--attach")?.value).toBe("service");
    expect(up).toMatchObject({ args: [{ value: "service" }], variadic: true });
    expect(command("exec")).toMatchObject({
      args: [{ value: "service" }, { value: "text" }],
      variadic: true,
    });
    expect(command("cp")?.args).toEqual([{ value: "file" }, { value: "file" }]);
    expect(command("completion")?.args).toEqual([{ value: "choice", choices: ["bash", "zsh"] }]);
    // After the command name, -f is the command's own when it has one (logs --follow), else the global's copy.
    expect(flag(command("logs")?.flags ?? [], "-f")?.names).toEqual(["-f", "--follow"]);
    expect(flag(command("logs")?.flags ?? [], "--file")).toMatchObject({
      value: "file",
      hidden: true,
      global: true,
    });
    expect(flag(command("up")?.flags ?? [], "-f")).toMatchObject({ names: ["-f", "--file"], value: "file" });
    // exec's hidden no-op flags are known (their value is skipped right) but not offered.
    expect(flag(command("exec")?.flags ?? [], "-i")).toMatchObject({ hidden: true, value: "none" });
  });
});

describe("the project flags of a command line", () => {
  it("reads the global flags before the command and the command's copies after it", () => {
    expect(projectFlagValues(data, ["-f", "other.yaml", "logs"], "/h")).toEqual({ file: ["other.yaml"] });
    expect(projectFlagValues(data, ["logs", "-f", "web"], "/h")).toEqual({});
    expect(
      projectFlagValues(
        data,
        [
          "--file=a.yaml",
          "-p",
          "x",
          "--profile",
          "debug",
          "up",
          "-f",
          "b.yaml",
          "--env-file",
          "=",
          "e.env",
          "--project-directory",
          "dir",
          "-d",
        ],
        "/h",
      ),
    ).toEqual({
      file: ["a.yaml", "b.yaml"],
      projectName: "x",
      profile: ["debug"],
      envFile: ["e.env"],
      projectDirectory: "dir",
    });
    // A flag's value is not taken for the command name; nothing past `--` or an unknown command.
    expect(projectFlagValues(data, ["--progress", "plain", "-p", "up", "ps"], "/h")).toEqual({
      projectName: "up",
    });
    expect(projectFlagValues(data, ["run", "web", "--", "-f", "x"], "/h")).toEqual({});
    expect(projectFlagValues(data, ["nosuch", "-f", "x"], "/h")).toEqual({});
    expect(projectFlagValues(data, ["-f"], "/h")).toEqual({});
  });

  it("takes the words as the shell would", () => {
    expect(
      projectFlagValues(data, ["-f", "'my file.yaml'", "-f", "~/x.yaml", "-f", '"~/y.yaml"'], "/home/u"),
    ).toEqual({
      file: ["my file.yaml", "/home/u/x.yaml", "~/y.yaml"],
    });
    expect(shellWord("a\\ b.yaml", "/h")).toBe("a b.yaml");
    expect(shellWord("~/c.yaml", "/h")).toBe("/h/c.yaml");
    expect(shellWord("~", "/h")).toBe("/h");
    expect(shellWord("x~", "/h")).toBe("x~");
  });
});

describe("the scripts", () => {
  const bash = bashScript(data);
  const zsh = zshScript(data);

  /** What a generated `case` table function answers for a key (its REPLY), read from the script's text. */
  const answer = (script: string, fn: string, key: string): string | undefined => {
    const body = script.slice(script.indexOf(`${fn}() {`));
    const table = body.slice(0, body.indexOf("\n}\n"));
    for (const line of table.split("\n")) {
      const branch = /^ {4}(.*)\) REPLY=(.*) ;;$/.exec(line);
      if (branch?.[1]?.split("|").includes(`'${key}'`)) return branch[2];
    }
    return undefined;
  };

  it("hold the program's data as case tables", () => {
    for (const script of [bash, zsh]) {
      expect(answer(script, "__tcompose_flag", "up/--build")).toBe("none");
      expect(answer(script, "__tcompose_flag", "/-f")).toBe("file");
      expect(answer(script, "__tcompose_flag", "/--env-file")).toBe("file");
      expect(answer(script, "__tcompose_flag", "logs/-f")).toBe("none");
      expect(answer(script, "__tcompose_flag", "up/--attach")).toBe("service");
      expect(answer(script, "__tcompose_choices", "/--progress")).toBe("'auto tty plain json quiet'");
      expect(answer(script, "__tcompose_choices", "completion/#0")).toBe("'bash zsh'");
      expect(answer(script, "__tcompose_args", "up")).toBe("'service...'");
      expect(answer(script, "__tcompose_args", "exec")).toBe("'service text...'");
      expect(answer(script, "__tcompose_command", "convert")).toBe("'config'");
      expect(answer(script, "__tcompose_flags", "up")?.split(/[' ]/)).toEqual(
        expect.arrayContaining(["--build", "-d", "--detach", "-h", "--help"]),
      );
      expect(answer(script, "__tcompose_flags", "")?.split(/[' ]/)).toEqual(
        expect.arrayContaining(["-f", "--file", "--progress", "--project-directory", "--version"]),
      );
      const commands = /__tcompose_commands='([^']*)'/.exec(script)?.[1]?.split(" ");
      expect(commands).toEqual(data.commands.flatMap((c) => c.names));
      // Hidden flags are never offered; the commands' copies of the globals are looked up among the globals.
      expect(answer(script, "__tcompose_flags", "exec")).not.toContain("--interactive");
      expect(answer(script, "__tcompose_flag", "logs/--file")).toBeUndefined();
    }
  });

  it("register the function for tcompose and ask it for service names", () => {
    expect(bash).toMatch(/\ncomplete -F _tcompose tcompose\n$/);
    expect(bash).toContain(
      '"${COMP_WORDS[0]}" __complete services -- "${COMP_WORDS[@]:1:COMP_CWORD-1}" 2>/dev/null',
    );
    expect(zsh.startsWith("#compdef tcompose\n")).toBe(true);
    expect(zsh).toContain("compdef _tcompose tcompose");
    expect(zsh).toContain("__complete services -- ${words[2,CURRENT-1]} 2>/dev/null");
    // zsh shows descriptions; a quote in one is escaped.
    expect(zsh).toContain("'up:Create and start containers'");
    expect(zsh).toContain(`'--no-log-prefix:Don'\\''t print prefix in logs'`);
  });
});
