import { describe, expect, it } from "vitest";
import { describeEndpoint, resolveEndpoint } from "../../../src/project/engine/endpoint.js";

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
