import { describe, expect, it } from "vitest";
import { withGoBoolFlags } from "../../../src/cli/bool-flags.js";
import { buildProgram } from "../../../src/cli/main.js";

const io = { stdout: () => {}, stderr: () => {} } as unknown as Parameters<typeof buildProgram>[0];
const rewrite = (...argv: string[]) =>
  withGoBoolFlags(
    buildProgram(
      io,
      argv.find((a) => !a.startsWith("-")),
    ),
    argv,
  );

describe("Go's bool flags with a value", () => {
  it("true leaves the bare flag, false drops it; global flags too; long and short", () => {
    expect(rewrite("ps", "--all=true", "-q")).toEqual(["ps", "--all", "-q"]);
    expect(rewrite("ps", "-a=0", "web")).toEqual(["ps", "web"]);
    expect(rewrite("--dry-run=T", "down", "--remove-orphans=False")).toEqual(["--dry-run", "down"]);
  });

  it("leaves flags with values of their own, flag values and a container's command alone", () => {
    expect(rewrite("ps", "--orphans=false")).toEqual(["ps", "--orphans=false"]);
    expect(rewrite("exec", "-e", "A=--all=1", "web", "ls", "--all=true")).toEqual([
      "exec",
      "-e",
      "A=--all=1",
      "web",
      "ls",
      "--all=true",
    ]);
    expect(rewrite("ps", "--", "--all=true")).toEqual(["ps", "--", "--all=true"]);
    expect(rewrite("ps", "--bogus=1")).toEqual(["ps", "--bogus=1"]);
  });

  it("refuses another value with pflag's words (exit 16)", () => {
    expect(() => rewrite("ps", "--all=maybe")).toThrow(
      'invalid argument "maybe" for "-a, --all" flag: strconv.ParseBool: parsing "maybe": invalid syntax',
    );
    try {
      rewrite("ps", "--all=maybe");
    } catch (error) {
      expect((error as { exitCode: number }).exitCode).toBe(16);
    }
  });
});
