import { describe, expect, it } from "vitest";
import { pluginEnvVar } from "../../../src/cli/docker-plugin.js";
import { quickVersion, reportedVersion, versionSentence } from "../../../src/cli/version.js";

describe("quickVersion (the launcher's answer without the CLI)", () => {
  it("answers the forms whose whole output is the version", () => {
    expect(versionSentence).toBe(`tcompose version ${reportedVersion}\n`);
    for (const args of [["--version"], ["-v"], ["version"]])
      expect(quickVersion(args, {})).toBe(versionSentence);
    expect(quickVersion(["version", "--short"], {})).toBe(`${reportedVersion}\n`);
  });

  it("leaves every other command line, and any run as docker's plugin, to the CLI", () => {
    for (const args of [
      [],
      ["version", "--format", "json"],
      ["--version", "ps"],
      ["-p", "x", "version"],
      ["version", "--short", "extra"],
      ["ps", "-v"],
    ])
      expect(quickVersion(args, {})).toBeUndefined();
    expect(quickVersion(["--version"], { [pluginEnvVar]: "docker compose" })).toBeUndefined();
  });
});
