import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { contextName, describeEndpoint, resolveEndpoint } from "../../../src/project/engine/endpoint.js";

describe("resolveEndpoint", () => {
  it("uses the default socket without DOCKER_HOST", () => {
    expect(resolveEndpoint({})).toEqual({ kind: "unix", socketPath: "/var/run/docker.sock" });
    expect(resolveEndpoint({ DOCKER_HOST: " " })).toEqual({
      kind: "unix",
      socketPath: "/var/run/docker.sock",
    });
  });

  it("reads unix and tcp addresses", () => {
    expect(resolveEndpoint({ DOCKER_HOST: "unix:///run/user/1000/docker.sock" })).toEqual({
      kind: "unix",
      socketPath: "/run/user/1000/docker.sock",
    });
    expect(resolveEndpoint({ DOCKER_HOST: "tcp://10.0.0.5:2375" })).toEqual({
      kind: "tcp",
      host: "10.0.0.5",
      port: 2375,
      tls: false,
    });
    expect(resolveEndpoint({ DOCKER_HOST: "tcp://[::1]:2376" })).toMatchObject({ host: "::1", port: 2376 });
  });

  it("turns TLS on with DOCKER_TLS_VERIFY and defaults the port like the docker CLI", () => {
    const e = resolveEndpoint({
      DOCKER_HOST: "tcp://docker.example",
      DOCKER_TLS_VERIFY: "1",
      DOCKER_CERT_PATH: "/c",
    });
    expect(e).toEqual({ kind: "tcp", host: "docker.example", port: 2376, tls: true, certPath: "/c" });
    expect(describeEndpoint(e)).toBe("https://docker.example:2376");
    expect(resolveEndpoint({ DOCKER_HOST: "tcp://docker.example" })).toMatchObject({
      port: 2375,
      tls: false,
    });
  });

  it("rejects an address it cannot use, naming it", () => {
    expect(() => resolveEndpoint({ DOCKER_HOST: "npipe:////./pipe/docker_engine" })).toThrow(
      "DOCKER_HOST=npipe:////./pipe/docker_engine is not an address tcompose understands",
    );
  });
});

describe("docker contexts", () => {
  const id = (name: string) => createHash("sha256").update(name).digest("hex");
  const files: Record<string, string> = {
    "/h/.docker/config.json": JSON.stringify({ currentContext: "remote" }),
    [`/h/.docker/contexts/meta/${id("remote")}/meta.json`]: JSON.stringify({
      Name: "remote",
      Endpoints: { docker: { Host: "tcp://10.1.2.3:2376", SkipTLSVerify: false } },
    }),
    [`/h/.docker/contexts/tls/${id("remote")}/docker/ca.pem`]: "CA",
    [`/h/.docker/contexts/meta/${id("box")}/meta.json`]: JSON.stringify({
      Endpoints: { docker: { Host: "ssh://me@box.example" } },
    }),
  };
  const readFile = (p: string) => files[p];
  const input = (env: Record<string, string>, context?: string) => ({
    env,
    configDir: "/h/.docker",
    readFile,
    ...(context ? { context } : {}),
  });

  it("resolves the context like the docker CLI: --context, then DOCKER_HOST, DOCKER_CONTEXT, currentContext", () => {
    expect(contextName(input({}))).toBe("remote");
    expect(contextName(input({ DOCKER_CONTEXT: "box" }))).toBe("box");
    expect(contextName(input({ DOCKER_CONTEXT: "box", DOCKER_HOST: "unix:///x" }))).toBe("default");
    expect(contextName(input({ DOCKER_HOST: "unix:///x" }, "box"))).toBe("box");
  });

  it("reads a context's host and TLS material, and ssh hosts", () => {
    expect(resolveEndpoint(input({}))).toEqual({
      kind: "tcp",
      host: "10.1.2.3",
      port: 2376,
      tls: true,
      certPath: `/h/.docker/contexts/tls/${id("remote")}/docker`,
    });
    const ssh = resolveEndpoint(input({ DOCKER_CONTEXT: "box" }));
    expect(ssh).toEqual({ kind: "ssh", host: "box.example", port: 22, username: "me" });
    expect(describeEndpoint(ssh)).toBe("ssh://me@box.example:22");
    expect(resolveEndpoint({ DOCKER_HOST: "ssh://box:2222" })).toEqual({
      kind: "ssh",
      host: "box",
      port: 2222,
    });
  });

  it("says which context is missing", () => {
    expect(() => resolveEndpoint(input({}, "nowhere"))).toThrow(/context "nowhere" does not exist/);
  });
});
