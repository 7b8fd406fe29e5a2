import { describe, expect, it } from "vitest";
import { valuedGlobalFlags } from "../../../src/cli/global-flags.js";
import { buildProgram, run } from "../../../src/cli/main.js";
import { InvalidProjectError } from "../../../src/project/load/diagnostics.js";

function capture() {
  const out = { stdout: "", stderr: "" };
  return { out, io: { stdout: (t: string) => (out.stdout += t), stderr: (t: string) => (out.stderr += t) } };
}

describe("cli/main", () => {
  it("returns 1 and one line for a command not implemented yet", async () => {
    const { out, io } = capture();
    expect(await run(["watch", "--no-up"], io)).toBe(1);
    expect(out.stderr).toBe(
      "tcompose: 'watch' is not implemented yet in tcompose (use 'docker compose watch' meanwhile)\n",
    );
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

  it("rejects a bad --ansi value", async () => {
    const { out, io } = capture();
    expect(await run(["--ansi", "sometimes", "version"], io)).toBe(1);
    expect(out.stderr).toContain("'sometimes' is invalid");
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
