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
});
