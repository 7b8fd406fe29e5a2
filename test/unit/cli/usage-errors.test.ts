import { describe, expect, it } from "vitest";
import { usageError } from "../../../src/cli/usage-errors.js";

const say = (code: string, message: string, argv: string[] = [], stack?: string) =>
  usageError({ code, message }, argv, stack ? { path: stack } : undefined);

describe("usage errors in the reference's words", () => {
  it("unknown flags, long and short, without their value", () => {
    expect(say("commander.unknownOption", "error: unknown option '--bogus=1'")).toEqual({
      text: "unknown flag: --bogus",
      exitCode: 16,
    });
    expect(say("commander.unknownOption", "error: unknown option '-z'")?.text).toBe(
      "unknown shorthand flag: 'z' in -z",
    );
  });

  it("a flag without its value, in the form typed", () => {
    const message = "error: option '-n, --tail <tail>' argument missing";
    expect(say("commander.optionMissingArgument", message, ["logs", "-n"])?.text).toBe(
      "flag needs an argument: 'n' in -n",
    );
    expect(say("commander.optionMissingArgument", message, ["logs", "--tail"])?.text).toBe(
      "flag needs an argument: --tail",
    );
  });

  it("an unknown command, commander's suggestion kept; docker's words and exit code for stack", () => {
    expect(say("commander.unknownCommand", "error: unknown command 'pss'\n(Did you mean ps?)")?.text).toBe(
      'unknown docker command: "compose pss"\nDid you mean ps?',
    );
    expect(say("commander.unknownOption", "error: unknown option '--bogus'", [], "stack ps")).toEqual({
      text: "unknown flag: --bogus\nSee 'tcompose stack ps --help'.",
      exitCode: 125,
    });
    expect(say("commander.unknownCommand", "error: unknown command 'x'", [], "stack")).toBeUndefined();
    expect(say("commander.missingArgument", "error: missing required argument 'service'")).toBeUndefined();
  });

  it("too few arguments in cobra's words for the command (exit 1); a command taking none names the extra word", () => {
    const missing = (name: string, args: string[]) =>
      usageError(
        { code: "commander.missingArgument", message: "error: missing required argument 'x'" },
        [],
        undefined,
        {
          name,
          args,
        },
      );
    expect(missing("exec", ["web"])).toEqual({
      text: "requires at least 2 arg(s), only received 1",
      exitCode: 1,
    });
    expect(missing("wait", [])?.text).toBe(
      "\"tcompose wait\" requires at least 1 argument.\nSee 'tcompose wait --help'.",
    );
    expect(missing("cp", ["a"])?.text).toBe(
      "\"tcompose cp\" requires exactly 2 arguments.\nSee 'tcompose cp --help'.",
    );
    expect(missing("logs", [])).toBeUndefined();
    expect(
      usageError(
        {
          code: "commander.excessArguments",
          message: "error: too many arguments for 'ls'. Expected 0 arguments but got 1.",
        },
        [],
        undefined,
        { name: "ls", args: ["x"] },
      ),
    ).toEqual({ text: 'unknown command "x" for "tcompose ls"', exitCode: 1 });
  });
});
