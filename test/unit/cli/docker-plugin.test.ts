import { describe, expect, it } from "vitest";
import { pluginCall, pluginEnvVar, pluginMetadata } from "../../../src/cli/docker-plugin.js";

const asPlugin = { [pluginEnvVar]: "docker" };

describe("docker CLI plugin protocol", () => {
  it("answers the metadata request with the JSON the docker CLI checks", () => {
    expect(pluginCall(["docker-cli-plugin-metadata"], {})).toEqual({ kind: "metadata" });
    expect(JSON.parse(pluginMetadata("1.2.3"))).toEqual({
      SchemaVersion: "0.1.0",
      Vendor: "tcompose",
      Version: "1.2.3",
      ShortDescription: "Docker Compose (tcompose)",
    });
  });

  it("drops the plugin's name, as the docker CLI runs it", () => {
    expect(pluginCall(["compose", "up", "-d"], asPlugin)).toEqual({
      kind: "run",
      argv: ["up", "-d"],
      env: {},
    });
    expect(pluginCall(["compose"], asPlugin)).toEqual({ kind: "run", argv: [], env: {} });
  });

  it("turns docker's global flags into the environment or tcompose's --context", () => {
    expect(
      pluginCall(
        ["-H", "tcp://h:2376", "--tlsverify", "-D", "--config=/c", "compose", "-p", "x", "ps"],
        asPlugin,
      ),
    ).toEqual({
      kind: "run",
      argv: ["-p", "x", "ps"],
      env: { DOCKER_HOST: "tcp://h:2376", DOCKER_TLS_VERIFY: "1", DOCKER_CONFIG: "/c" },
    });
    expect(pluginCall(["-c", "remote", "--log-level", "debug", "compose", "ls"], asPlugin)).toEqual({
      kind: "run",
      argv: ["--context", "remote", "ls"],
      env: {},
    });
  });

  it("refuses docker flags it cannot honour, in one line", () => {
    expect(pluginCall(["--tlscacert", "/ca.pem", "compose", "ps"], asPlugin)).toEqual({
      kind: "error",
      message: "docker flag --tlscacert is not supported by tcompose as a docker plugin",
    });
    expect(pluginCall(["-H"], asPlugin)).toEqual({ kind: "error", message: "docker flag -H needs a value" });
  });

  it("runs as typed when not started by the docker CLI", () => {
    expect(pluginCall(["compose", "up"], {})).toEqual({ kind: "direct" });
    expect(pluginCall(["up", "-d"], {})).toEqual({ kind: "direct" });
    // The variable inherited by a process the plugin started: no `compose` word, so a plain call.
    expect(pluginCall(["-p", "x", "up"], asPlugin)).toEqual({ kind: "direct" });
  });
});
