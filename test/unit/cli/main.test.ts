import { describe, expect, it } from "vitest";
import { composeCommands } from "../../../src/cli/commands/catalog.js";
import { implementedCommands } from "../../../src/cli/commands/registry.js";
import { valuedGlobalFlags } from "../../../src/cli/global-flags.js";
import { buildProgram, run } from "../../../src/cli/main.js";
import { InvalidProjectError } from "../../../src/project/load/diagnostics.js";

function capture() {
  const out = { stdout: "", stderr: "" };
  return { out, io: { stdout: (t: string) => (out.stdout += t), stderr: (t: string) => (out.stderr += t) } };
}

describe("cli/main", () => {
  it("implements every command of the reference's set", () => {
    expect(composeCommands.filter((c) => !implementedCommands[c.name]).map((c) => c.name)).toEqual([]);
  });

  it("accepts docker compose's global flags before the command", async () => {
    const { out, io } = capture();
    const argv = [
      "-f",
      "a.yaml",
      "-f",
      "b.yaml",
      "-p",
      "x",
      "--ansi",
      "never",
      "--progress",
      "plain",
      "version",
    ];
    expect(await run([...argv, "--short"], io)).toBe(0);
    expect(out.stdout).toBe("2.26.1+tcompose.0.0.0-dev\n");
  });

  it("answers -v and --version among the global flags, not as a flag's value or after the command", async () => {
    const version = capture();
    expect(await run(["-p", "x", "-f", "a.yaml", "-v"], version.io)).toBe(0);
    expect(version.out.stdout).toMatch(/^tcompose version /);
    const long = capture();
    expect(await run(["--project-directory", "d", "--version"], long.io)).toBe(0);
    expect(long.out.stdout).toBe(version.out.stdout);
    // `-p -v`: the project is named "-v" (as docker's flag parser reads it): the command runs.
    const value = capture();
    expect(await run(["-p", "-v", "version", "--short"], value.io)).toBe(0);
    expect(value.out.stdout).toBe("2.26.1+tcompose.0.0.0-dev\n");
  });

  it("takes another --ansi value as auto, and checks --progress and --parallel before a project command, as the reference", async () => {
    const { out, io } = capture();
    expect(await run(["--ansi", "sometimes", "--progress", "fancy", "version", "--short"], io)).toBe(0);
    expect(out.stderr).toBe("");
    expect(await run(["--progress", "fancy", "ps"], io)).toBe(1);
    expect(out.stderr).toBe('tcompose: unsupported --progress value "fancy"\n');
    out.stderr = "";
    expect(await run(["--progress", "tty", "--ansi", "never", "ps"], io)).toBe(1);
    expect(out.stderr).toBe("tcompose: can't use --progress tty while ANSI support is disabled\n");
    out.stderr = "";
    expect(await run(["--parallel", "two", "ps"], io)).toBe(1);
    expect(out.stderr).toBe(
      'tcompose: invalid argument "two" for "--parallel" flag: strconv.ParseInt: parsing "two": invalid syntax\n',
    );
  });

  it("gives exit code 15 for an invalid compose file, one located line per problem", () => {
    const error = new InvalidProjectError([
      {
        path: ["services", "web", "ports", 1],
        message: "bad port",
        position: { file: "compose.yaml", line: 7, column: 9 },
      },
    ]);
    expect(error.exitCode).toBe(15);
    expect(error.message).toBe("compose.yaml:7:9: services.web.ports[1]: bad port");
  });
});

describe("the global flags the launcher knows", () => {
  it("are exactly the program's global options that take a value", () => {
    const program = buildProgram({ stdout: () => {}, stderr: () => {} });
    const valued = program.options
      .filter((o) => o.required || o.optional)
      .flatMap((o) => [o.short, o.long].filter((f): f is string => Boolean(f)));
    expect([...valuedGlobalFlags].sort()).toEqual(valued.sort());
  });
});

describe("a program that declares only the command run", () => {
  const quiet = { stdout: () => {}, stderr: () => {} };
  /** A command's help and flags, and its subcommands', as the user sees them. */
  const describeCommand = (c: ReturnType<typeof buildProgram>): unknown => ({
    help: c.helpInformation(),
    options: c.options.map((o) => [o.flags, o.description, o.defaultValue, o.argChoices, o.hidden]),
    aliases: c.aliases(),
    commands: c.commands.map(describeCommand),
  });

  it("declares that command exactly as the whole program does, and nothing else", () => {
    const full = buildProgram(quiet);
    const names = [...Object.keys(implementedCommands), "stack"];
    for (const name of names) {
      const narrow = buildProgram(quiet, name);
      expect(
        narrow.commands.map((c) => c.name()),
        name,
      ).toEqual([name]);
      const mine = narrow.commands[0] as ReturnType<typeof buildProgram>;
      const theirs = full.commands.find((c) => c.name() === name) as ReturnType<typeof buildProgram>;
      expect(describeCommand(mine), name).toEqual(describeCommand(theirs));
      expect(narrow.options.map((o) => o.flags)).toEqual(full.options.map((o) => o.flags));
    }
  });

  it("declares every command for anything else: no command, help, an unknown word, completion", () => {
    const all = buildProgram(quiet).commands.map((c) => c.name());
    for (const word of [undefined, "help", "psx", "completion", "__complete"])
      expect(
        buildProgram(quiet, word).commands.map((c) => c.name()),
        String(word),
      ).toEqual(all);
  });

  it("is what run() builds from the command line: an unknown command still gets suggestions", async () => {
    const { out, io } = capture();
    expect(await run(["--ansi", "never", "-p", "x", "pss"], io)).not.toBe(0);
    expect(out.stderr).toMatch(/Did you mean ps\?/);
  });
});
